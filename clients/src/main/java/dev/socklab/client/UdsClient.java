package dev.socklab.client;

import dev.socklab.common.Cli;
import dev.socklab.common.LogOptions;
import dev.socklab.common.NetErrors;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.UnixSocketPaths;
import dev.socklab.common.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab uds-client}: echo-client over a UNIX domain socket. Interactive (stdin out,
 * echoes back, half-close on EOF) or scripted ({@code --count --size}, verified, percentiles).
 */
@Command(
    name = "uds-client",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Talks to an echo server on a UNIX domain socket, like echo-client does over TCP.",
      ""
    },
    footer = {
      "",
      "Examples:  ./socklab uds-client            (the default path of uds-server)",
      "           ./socklab uds-client /tmp/my.sock --count 1000 --size 512",
      "           ./socklab uds-client --abstract NAME  (uds-server --abstract NAME)",
      "Exit codes: 0 all echoed, 1 connection or verification failure, 2 usage error."
    })
public final class UdsClient implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "PATH",
      description = "Socket file (default: uds-server's default path).")
  Path path;

  @Option(
      names = "--abstract",
      paramLabel = "NAME",
      description = "Connect to NAME in Linux's abstract namespace (no file) instead of a PATH.")
  String abstractName;

  @Mixin EchoOptions echo;

  @Mixin LogOptions logging;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  /** A client on the process's stdin, stdout and stderr. */
  public UdsClient() {
    this(System.in, System.out, System.err);
  }

  UdsClient(InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws Exception {
    echo.validate(spec);
    if (abstractName != null && path != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give a PATH or --abstract NAME, not both");
    }
    SocketCalls calls = new SocketCalls(logging.apply());
    Path p = path != null ? path : UnixSocketPaths.defaultPath("echo.sock");
    String where = abstractName != null ? "@" + abstractName : p.toString();
    try (Conn conn =
        abstractName != null
            ? AbstractConn.connect(abstractName, calls.trace())
            : Conn.of(connect(p, calls), calls)) {
      return echo.count == 0
          ? EchoClient.interactive(spec.qualifiedName(), conn, where, calls, stdin, stdout, stderr)
          : EchoClient.scripted(spec.qualifiedName(), conn, where, calls, echo, stdout, stderr);
    }
  }

  /**
   * socket(AF_UNIX, SOCK_STREAM) and connect(2) to a socket file, with the errors {@code man 7
   * unix} lists, each as one line.
   *
   * @param p the socket file
   * @param calls where the calls are made and traced
   * @return the connected channel, blocking
   * @throws UserError path too long, no such file, not a socket, ECONNREFUSED (stale), EACCES
   */
  public static SocketChannel connect(Path p, SocketCalls calls) {
    UnixSocketPaths.checkLength(p);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new UserError(
          "no such socket file: " + p + " — start a server with ./socklab uds-server --path " + p);
    }
    try {
      if (!UnixSocketPaths.isSocket(p)) {
        throw new UserError(p + " is not a socket");
      }
    } catch (IOException e) {
      throw new UserError("cannot examine " + p + ": " + e.getMessage(), e);
    }
    try {
      SocketChannel ch = calls.unixSocket(); // socket(AF_UNIX, SOCK_STREAM)
      try {
        calls.connect(ch, UnixDomainSocketAddress.of(p));
      } catch (IOException e) {
        calls.close(ch);
        throw e;
      }
      return ch;
    } catch (ConnectException e) {
      throw new UserError(
          "connection refused at "
              + p
              + " (ECONNREFUSED): a stale socket file with no server — start one with ./socklab uds-server --path "
              + p,
          e);
    } catch (AccessDeniedException e) {
      throw new UserError(
          "permission denied connecting to " + p + " (EACCES): its mode or directory keeps you out",
          e);
    } catch (IOException e) {
      if (NetErrors.is(e, NetErrors.Errno.EACCES)) {
        throw new UserError(
            "permission denied connecting to "
                + p
                + " (EACCES): its mode or directory keeps you out",
            e);
      }
      throw new UserError("cannot connect to " + p + ": " + e.getMessage(), e);
    }
  }
}
