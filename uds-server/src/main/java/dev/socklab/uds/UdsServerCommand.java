package dev.socklab.uds;

import dev.socklab.common.Cli;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Inherited;
import dev.socklab.common.LogOptions;
import dev.socklab.common.LogSetup;
import dev.socklab.common.ServerRun;
import dev.socklab.common.Signals;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.UnixSocketPaths;
import dev.socklab.common.UserError;
import dev.socklab.netty.SdNotify;
import dev.socklab.netty.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./socklab uds-server}: AF_UNIX stream echo with safe paths and peer credentials. */
@Command(
    name = "socklab uds-server",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Echo server on a UNIX domain socket (AF_UNIX, SOCK_STREAM) on Netty's native epoll"
          + " transport: a file path is the address, file permissions decide who may connect,"
          + " and each connection's peer credentials (pid, uid, gid) are known.",
      "",
      "Talk to it:  nc -U PATH      socat - UNIX-CONNECT:PATH",
      "   --abstract NAME:  nc -U @NAME     socat - ABSTRACT-CONNECT:NAME",
      ""
    },
    footer = {
      "",
      "A path that exists is checked first: a live server's socket is never taken over, a stale"
          + " socket file is removed (and logged), anything else is left alone.",
      "An abstract name (Linux) is no file: the kernel frees it when the server closes, and no"
          + " file permissions guard it, so any process in this network namespace may connect;"
          + " use --allow-uid.",
      "SIGINT/SIGTERM: close, remove the socket file, print a summary, exit 0."
          + " Exit codes: 0 normal, 1 runtime failure, 2 usage error."
    })
public final class UdsServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--path",
      paramLabel = "PATH",
      description =
          "Socket file (default: $XDG_RUNTIME_DIR/socklab/echo.sock, else"
              + " /tmp/socklab-UID/echo.sock, in a directory created with mode 0700).")
  Path path;

  @Option(
      names = "--abstract",
      paramLabel = "NAME",
      description =
          "Listen on NAME in Linux's abstract namespace instead of a file (1-107 bytes; ss -x"
              + " shows it as @NAME). Needs --transport epoll or io_uring.")
  String abstractName;

  @Option(
      names = "--mode",
      paramLabel = "OCTAL",
      description = "Permissions of the socket file, e.g. 600 (you only), 660, 666 (default: 600).")
  String mode;

  @Option(
      names = "--allow-uid",
      paramLabel = "UID",
      split = ",",
      description = "Accept only connections whose peer uid (SO_PEERCRED) is listed.")
  List<Integer> allowUids = List.of();

  @Option(
      names = "--transport",
      paramLabel = "T",
      defaultValue = "auto",
      converter = Transport.Converter.class,
      description =
          "auto, epoll, io_uring or nio (default: ${DEFAULT-VALUE}: epoll on Linux; nio cannot read"
              + " peer credentials nor use --abstract).")
  Transport transport;

  @Option(
      names = "--tcp",
      paramLabel = "PORT",
      description =
          "Also serve the same echo over TCP on 127.0.0.1:PORT (0 = any free port), to compare.")
  Integer tcpPort;

  @Option(
      names = "--inetd",
      description =
          "Serve the one connection on standard input, then exit: started per client by systemd"
              + " (Accept=yes), socat EXEC: or systemd-socket-activate --accept --inetd. Needs"
              + " epoll.")
  boolean inetd;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = dev.socklab.common.Durations.class,
      description = "On SIGINT/SIGTERM, how long flushing may take (default: ${DEFAULT-VALUE}).")
  Duration grace;

  @Mixin LogOptions logging;

  /**
   * Entry point of {@code ./socklab uds-server}.
   *
   * @param args command-line arguments, see {@code --help}
   */
  public static void main(String[] args) {
    // While picocli reads the command line: logback's set-up, and Netty's (whose first logger
    // then waits for logback's on its own thread, never on this one).
    LogSetup.startInBackground();
    warmUp = Transport.warmUpInBackground();
    Cli.main(new UdsServerCommand(), args);
  }

  private static Thread warmUp;

  @Override
  public Integer call() throws Exception {
    Transport.awaitWarmUp(warmUp);
    if (abstractName != null && (path != null || mode != null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--abstract names a socket without a file: it cannot be combined with "
              + (path != null ? "--path" : "--mode (there are no permissions to set)"));
    }
    int bits;
    try {
      bits = Integer.parseInt(mode == null ? "600" : mode, 8);
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits < 0 || bits > 0777) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--mode must be octal permission bits such as 600 or 660, not '" + mode + "'");
    }
    Trace trace = logging.apply();
    if (inetd) {
      return serveInetd(trace);
    }
    int fds = Inherited.listenFds();
    if (fds > 0) {
      return serveInherited(fds, trace);
    }
    Path socket = path;
    if (socket == null && abstractName == null) {
      socket = UnixSocketPaths.defaultPath("echo.sock");
      UnixSocketPaths.privateDirectory(socket.getParent());
    }
    UdsServer.Config config =
        (abstractName != null
                ? UdsServer.Config.atAbstractName(abstractName)
                : UdsServer.Config.atPath(socket))
            .withMode(bits)
            .withAllowUids(Set.copyOf(allowUids))
            .withTransport(transport)
            .withTcpPort(tcpPort == null ? -1 : tcpPort)
            .withTrace(trace);
    String where = abstractName != null ? "@" + abstractName : socket.toString();
    String kind =
        abstractName != null
            ? "AF_UNIX stream, abstract namespace"
            : String.format("AF_UNIX stream, mode %04o", bits);
    return ServerRun.untilSignalled(
        "uds-server",
        () -> {
          UdsServer server = UdsServer.start(config);
          String tcp =
              server.tcpAddress() == null
                  ? ""
                  : ", and TCP on " + Endpoints.format(server.tcpAddress());
          String banner =
              String.format(
                  "uds-server listening on %s (%s, %s%s) — try: nc -U %s",
                  where, kind, server.transport(), tcp, where);
          SdNotify.ready(banner, trace); // Type=notify: READY=1 once we listen
          return new ServerRun.Started(
              banner,
              server.failure(),
              () -> {
                UdsServer.Stats s = server.stop(grace);
                return summary(
                    s,
                    abstractName != null
                        ? "name released"
                        : where + (s.fileRemoved() ? " removed" : " left in place"));
              });
        });
  }

  // --inetd: one connection on fd 0; the banner goes to stderr, for stdout is that connection.
  private int serveInetd(Trace trace) throws Exception {
    Inherited.connection(new SocketCalls(trace), INETD_EXAMPLE);
    UdsServer.Config config = inheritedConfig(trace);
    return ServerRun.untilSignalled(
        "uds-server",
        () -> {
          UdsServer server = UdsServer.serveConnection(config);
          return new ServerRun.Started(
              "uds-server --inetd: pid "
                  + ProcessHandle.current().pid()
                  + " serves the connection on standard input (AF_UNIX, epoll)",
              server.failure(),
              () -> summary(server.stop(grace), "connection closed"),
              server.finished());
        },
        Signals.install(),
        System.err,
        System.err);
  }

  // LISTEN_FDS (man 3 sd_listen_fds): systemd bound the path; serve fd 3.
  private int serveInherited(int fds, Trace trace) throws Exception {
    if (fds != 1) {
      throw new UserError(
          "LISTEN_FDS="
              + fds
              + ": uds-server serves one socket; give the .socket unit one ListenStream=");
    }
    UdsServer.Config config = inheritedConfig(trace);
    return ServerRun.untilSignalled(
        "uds-server",
        () -> {
          UdsServer server = UdsServer.adopt(config, Inherited.SD_LISTEN_FDS_START);
          String where = Endpoints.format(server.localAddress());
          String banner =
              String.format(
                  "uds-server listening on %s (AF_UNIX stream, inherited fd %s: socket-activated,"
                      + " %s) — try: nc -U %s",
                  where, Inherited.SD_LISTEN_FDS_START, server.transport(), where);
          SdNotify.ready(banner, trace);
          return new ServerRun.Started(
              banner,
              server.failure(),
              () -> summary(server.stop(grace), where + " left to systemd"));
        });
  }

  private UdsServer.Config inheritedConfig(Trace trace) {
    if (path != null || abstractName != null || mode != null || tcpPort != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--path, --abstract, --mode and --tcp make a socket of our own; with "
              + (inetd ? "--inetd" : "LISTEN_FDS")
              + " the socket is inherited");
    }
    return UdsServer.Config.inherited()
        .withAllowUids(Set.copyOf(allowUids))
        .withTransport(transport)
        .withTrace(trace);
  }

  private static String summary(UdsServer.Stats s, String socket) {
    return ServerRun.count(s.clients(), "client", "clients")
        + " served, "
        + s.refused()
        + " refused by uid, "
        + ServerRun.count(s.bytes(), "byte", "bytes")
        + " echoed; "
        + socket;
  }

  private static final String INETD_EXAMPLE =
      "socat UNIX-LISTEN:/tmp/echo.sock,fork EXEC:'socklab uds-server --inetd'";
}
