package dev.socklab.echo;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Inherited;
import dev.socklab.common.ListenOptions;
import dev.socklab.common.LogOptions;
import dev.socklab.common.LogSetup;
import dev.socklab.common.ServerRun;
import dev.socklab.common.Signals;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.UserError;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code ./socklab echo-server}: the command line of {@link EchoServer}. */
@Command(
    name = "socklab echo-server",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    defaultValueProvider = EchoServerCommand.Port.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Thread-per-client TCP echo server (RFC 862): every byte a client sends comes back, in"
          + " order, until the client closes. One thread per client, blocking java.net sockets:"
          + " the accept() loop of the course's first server.",
      "",
      "Talk to it:  nc localhost 7007",
      "               (Ctrl-D half-closes; -N makes nc do that on EOF)",
      "             socat - TCP:localhost:7007",
      "             ./socklab echo-client localhost:7007",
      ""
    },
    footer = {
      "",
      "SIGINT (Ctrl-C) or SIGTERM: stop accepting, let connections finish within --grace, print"
          + " a summary, exit 0. A second signal exits at once.",
      "Exit codes: 0 normal, 1 runtime failure (e.g. port in use), 2 usage error."
    })
public final class EchoServerCommand implements Callable<Integer> {
  /**
   * The echo server's well-known port (docs/architecture.md, "Defaults"; RFC 862 itself uses 7).
   */
  public static final int DEFAULT_PORT = Defaults.ECHO_PORT;

  /** {@code --port} default. */
  public static final class Port extends ListenOptions.DefaultPort {
    /** The echo server's default port. */
    public Port() {
      super(DEFAULT_PORT);
    }
  }

  @Spec CommandSpec spec;

  @Mixin ListenOptions listen;

  @Option(
      names = "--threads",
      paramLabel = "MODEL",
      defaultValue = "virtual",
      converter = ThreadModelConverter.class,
      description =
          "Who serves each client: virtual (one virtual thread each, the default), platform (one"
              + " kernel thread each), or pool=N (N threads; client N+1 waits).")
  ThreadModel threads;

  @Option(
      names = "--backlog",
      paramLabel = "N",
      defaultValue = "" + EchoServer.Config.DEFAULT_BACKLOG,
      description =
          "listen(2) backlog: connections the kernel completes and queues before accept() (default:"
              + " ${DEFAULT-VALUE}; Java's own default is 50; capped at net.core.somaxconn).")
  int backlog;

  @Option(
      names = "--max-clients",
      paramLabel = "N",
      defaultValue = "" + EchoServer.Config.DEFAULT_MAX_CLIENTS,
      description =
          "Most clients at once; one more is closed at once and logged (default: ${DEFAULT-VALUE}).")
  int maxClients;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      defaultValue = "0",
      converter = Durations.class,
      description =
          "Close a client that sends nothing for this long, e.g. 30s, 500ms (default: off).")
  Duration idleTimeout;

  @Option(
      names = "--nodelay",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "TCP_NODELAY on each connection (default: on): echo small writes at once instead of"
              + " letting Nagle's algorithm wait for the previous segment's ACK.")
  boolean tcpNoDelay;

  @Option(
      names = "--reuseaddr",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "SO_REUSEADDR on the listening socket (default: on): a restarted server binds at once"
              + " while connections of its last run linger in TIME_WAIT; --no-reuseaddr shows why"
              + " not.")
  boolean reuseAddress;

  @Option(
      names = "--inetd",
      description =
          "Serve the one connection on standard input, then exit: started per client by inetd,"
              + " systemd (Accept=yes), socat EXEC: or systemd-socket-activate --accept --inetd.")
  boolean inetd;

  @Option(
      names = "--buffer-size",
      paramLabel = "BYTES",
      defaultValue = "" + EchoServer.Config.DEFAULT_BUFFER_SIZE,
      description =
          "Most bytes per read() call, 1-1048576; each client starts at 512 and grows (default: ${DEFAULT-VALUE}).")
  int bufferSize;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = Durations.class,
      description =
          "On SIGINT/SIGTERM, how long connections may take to finish (default: ${DEFAULT-VALUE}).")
  Duration grace;

  @Mixin LogOptions logging;

  /** The JDK's property for the number of read pollers of virtual threads (a power of two). */
  static final String READ_POLLERS = "jdk.readPollers";

  /** The JDK's property for the number of carrier threads that run virtual threads at once. */
  static final String CARRIERS = "jdk.virtualThreadScheduler.parallelism";

  /**
   * Entry point of {@code ./socklab echo-server}.
   *
   * @param args command-line arguments, see {@code --help}
   */
  public static void main(String[] args) {
    // A virtual thread whose read() would block parks, and one of the JDK's read pollers (each an
    // epoll set) unparks it when its socket is readable. The JDK makes one poller per core (a power
    // of two); with one, a single epoll_wait(2) hands the scheduler every client that became
    // readable, as select() does for the course's chat server, instead of pollers and carrier
    // threads waking each other. On 2 cores, `./socklab bench echo pollers2=... pollers1=...
    // --conns 50 --duration 10s --rounds 5` (one server started with -Djdk.readPollers=2): the same
    // round trips/s, p99 3.3-4.3 ms with 2 pollers, 1.0-1.1 ms with one. -Djdk.readPollers=N in
    // SOCKLAB_JAVA_OPTS wins.
    if (System.getProperty(READ_POLLERS) == null) {
      System.setProperty(READ_POLLERS, "1");
    }
    // Carrier threads: half the cores, at least one, where the JDK takes them all. A client's turn
    // is a read(2) and a write(2), so carriers mostly wait; each client the poller wakes is queued
    // on one carrier, and the scheduler then wakes an idle one (futex(2)) to steal it: a hand-over
    // between cores per message. On 2 cores, `./socklab bench echo carriers1=... carriers2=...
    // --conns 50 --duration 10s --rounds 5` (one server started with
    // -Djdk.virtualThreadScheduler.parallelism=2): one carrier 114,610 round trips/s, p99 0.51 ms;
    // two 0.92x that, p99 0.81 ms. One was as fast or faster at 1, 10, 500 and 2,000 clients too.
    // -Djdk.virtualThreadScheduler.parallelism=N in SOCKLAB_JAVA_OPTS wins.
    if (System.getProperty(CARRIERS) == null) {
      System.setProperty(
          CARRIERS, String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / 2)));
    }
    LogSetup.startInBackground(); // while picocli reads the command line
    Cli.main(new EchoServerCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    Trace trace = logging.apply();
    EchoServer.Config config;
    try {
      config =
          new EchoServer.Config(
              listen.socketAddress(),
              backlog,
              threads,
              maxClients,
              idleTimeout,
              tcpNoDelay,
              reuseAddress,
              bufferSize,
              trace);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    SocketCalls calls = new SocketCalls(trace);
    if (inetd) {
      SocketChannel conn = Inherited.connection(calls, INETD_EXAMPLE);
      java.net.SocketAddress peer = conn.getRemoteAddress(); // now: the client may leave soon
      // stdout is the connection: the banner and the summary go to stderr with the log.
      return ServerRun.untilSignalled(
          "echo-server",
          () -> {
            EchoServer server = EchoServer.serveConnection(config, conn);
            return new ServerRun.Started(
                String.format(
                    "echo-server --inetd: pid %s serves the connection on standard input (%s)",
                    ProcessHandle.current().pid(),
                    peer instanceof InetSocketAddress ? Endpoints.format(peer) : "AF_UNIX"),
                server.failure(),
                () -> summary(server.stop(grace)),
                server.finished());
          },
          Signals.install(),
          System.err,
          System.err);
    }
    if (Inherited.listenFds() > 0) {
      throw new UserError(
          "LISTEN_FDS passes the listening socket as fd 3, which the JDK cannot adopt (it takes"
              + " inherited sockets on standard input only): set StandardInput=socket in the"
              + " service, or run systemd-socket-activate with --inetd");
    }
    ServerSocketChannel inherited = Inherited.listener(calls);
    return ServerRun.untilSignalled(
        "echo-server",
        () -> {
          EchoServer server =
              inherited != null ? EchoServer.adopt(config, inherited) : EchoServer.start(config);
          InetSocketAddress bound = server.localAddress();
          // Numbers as %s: a first %d loads the locale's digits (CLDR data), 30-40 ms before the
          // banner.
          return new ServerRun.Started(
              String.format(
                  "echo-server listening on %s (TCP, %s, %s) — try: nc %s %s",
                  Endpoints.format(bound),
                  inherited != null
                      ? "inherited on standard input: socket-activated"
                      : "backlog " + backlog,
                  threads.describe(),
                  Endpoints.hostToReach(bound),
                  bound.getPort()),
              server.failure(),
              () -> summary(server.stop(grace)));
        });
  }

  private static final String INETD_EXAMPLE =
      "socat TCP-LISTEN:7007,reuseaddr,fork EXEC:'socklab echo-server --inetd'";

  private static String summary(EchoServer.Stats stats) {
    return ServerRun.count(stats.clients(), "client", "clients")
        + " served, "
        + stats.refused()
        + " refused, "
        + ServerRun.count(stats.bytesEchoed(), "byte", "bytes")
        + " echoed";
  }

  /** Converts {@code --threads} values. */
  static final class ThreadModelConverter implements ITypeConverter<ThreadModel> {
    @Override
    public ThreadModel convert(String value) {
      try {
        return ThreadModel.parse(value);
      } catch (IllegalArgumentException e) {
        // picocli prints a TypeConversionException's message as it is, with no class name.
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
