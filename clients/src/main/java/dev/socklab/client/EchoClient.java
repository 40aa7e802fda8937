package dev.socklab.client;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.LogOptions;
import dev.socklab.common.SocketCalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab echo-client}: talks to an echo server (RFC 862), socklab's or yours.
 *
 * <p>Interactive (default): what arrives on stdin goes to the server and the echo is printed as it
 * arrives; socket and stdin are read at the same time, not in lockstep. On stdin EOF the client
 * half-closes (shutdown(SHUT_WR)), prints what is still echoed and exits when the server closes:
 * Stevens' str_cli done right (UNP 6.7).
 *
 * <p>Scripted ({@code --count N}): sends N messages of pseudo-random bytes, checks each echo byte
 * for byte, prints round-trip percentiles, then half-closes and expects EOF with nothing extra.
 */
@Command(
    name = "echo-client",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Talks to an echo server. Interactive by default: stdin goes out, echoes come back as they"
          + " arrive; stdin EOF (Ctrl-D) half-closes and the client exits when the server closes.",
      "With --count it checks the server: N messages of --size random bytes, each echo verified"
          + " byte for byte, round-trip percentiles printed; exit 1 on any mismatch.",
      ""
    },
    footer = {
      "",
      "Examples:  ./socklab echo-client                      (localhost:7007)",
      "           ./socklab echo-client 127.0.0.1:9000 --count 1000 --size 512",
      "Exit codes: 0 all echoed, 1 connection or verification failure, 2 usage error."
    })
public final class EchoClient implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "[HOST:]PORT",
      defaultValue = "localhost:" + Defaults.ECHO_PORT,
      description = "Server to talk to (default: ${DEFAULT-VALUE}); [::1]:PORT for IPv6.")
  String target;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = Durations.class,
      description = "How long connect() may wait (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--nodelay",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "TCP_NODELAY on the connection (default: on).")
  boolean tcpNoDelay;

  @Mixin EchoOptions echo;

  @Mixin LogOptions logging;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  /** A client on the process's stdin, stdout and stderr. */
  public EchoClient() {
    this(System.in, System.out, System.err);
  }

  /**
   * A client on the given streams (tests use this to run it in-process).
   *
   * @param stdin what interactive mode sends
   * @param stdout where echoes and results go
   * @param stderr where errors go
   */
  public EchoClient(InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws Exception {
    echo.validate(spec);
    SocketCalls calls = new SocketCalls(logging.apply());
    HostPort hp = Endpoints.parse(target, "localhost", Defaults.ECHO_PORT);
    Socket socket =
        Connector.connect(
            hp, Defaults.ECHO_PORT, Defaults.ECHO_SERVER_COMMAND, connectTimeout, calls);
    try (Conn conn = Conn.of(socket, calls)) { // close(2) when done
      calls.setsockopt(socket, StandardSocketOptions.TCP_NODELAY, tcpNoDelay);
      return echo.count == 0
          ? interactive(spec.qualifiedName(), conn, hp.toString(), calls, stdin, stdout, stderr)
          : scripted(spec.qualifiedName(), conn, hp.toString(), calls, echo, stdout, stderr);
    }
  }

  static int interactive(
      String who,
      Conn socket,
      String hp,
      SocketCalls calls,
      InputStream stdin,
      PrintStream stdout,
      PrintStream stderr) {
    try {
      if (Duplex.run(socket, stdin, stdout, calls) == Duplex.End.SERVER_FIRST) {
        // Stevens: "server terminated prematurely": EOF before we sent ours.
        stderr.println(who + ": the server at " + hp + " closed the connection");
        return Cli.EXIT_FAILURE;
      }
      return Cli.EXIT_OK;
    } catch (IOException e) {
      stderr.println(who + ": connection to " + hp + " lost: " + e.getMessage());
      return Cli.EXIT_FAILURE;
    }
  }

  static int scripted(
      String who,
      Conn socket,
      String hp,
      SocketCalls calls,
      EchoOptions o,
      PrintStream stdout,
      PrintStream stderr)
      throws Exception {
    int count = o.count;
    int size = o.size;
    Duration timeout = o.timeout;
    socket.readTimeout(timeout);
    InputStream in = socket.in();
    OutputStream out = socket.out();
    SplittableRandom random = new SplittableRandom(o.seed);
    byte[] sent = new byte[size];
    byte[] echoed = new byte[size];
    Histogram rtt = new Histogram(3); // nanoseconds, 3 significant digits, grows as needed
    for (int i = 0; i < count; i++) {
      random.nextBytes(sent);
      long t0 = System.nanoTime();
      // Up to 32 KiB fits in the socket buffers, so write-then-read cannot deadlock; a larger
      // message is written by another thread while this one reads the echo.
      CompletableFuture<Void> writing = write(calls, out, sent);
      int got;
      try {
        got = readFully(calls, in, echoed);
      } catch (SocketTimeoutException e) {
        return fail(
            who, stderr, "message " + (i + 1) + ": no echo within " + Durations.format(timeout));
      }
      if (got < size) {
        return fail(
            who,
            stderr,
            "message "
                + (i + 1)
                + ": the server closed after echoing "
                + got
                + " of "
                + size
                + " bytes");
      }
      writing.join();
      rtt.recordValue(System.nanoTime() - t0);
      int at = Arrays.mismatch(sent, echoed);
      if (at >= 0) {
        return fail(
            who,
            stderr,
            String.format(
                "message %d: byte %d differs: sent 0x%02x, got back 0x%02x",
                i + 1, at, sent[at] & 0xff, echoed[at] & 0xff));
      }
    }
    socket.shutdownOutput(); // shutdown(SHUT_WR): the server must now send EOF, and nothing else
    long extra = 0;
    byte[] rest = new byte[4096];
    try {
      for (int n; (n = calls.read(in, rest)) != -1; ) {
        extra += n;
      }
    } catch (SocketTimeoutException e) {
      return fail(
          who,
          stderr,
          "no EOF from the server within " + Durations.format(timeout) + " after our half-close");
    }
    if (extra > 0) {
      return fail(who, stderr, "the server sent " + extra + " bytes more than it was sent");
    }
    stdout.printf(
        "%s: %d messages of %d bytes to %s: all verified, EOF after half-close%n",
        who, count, size, hp);
    stdout.printf(
        "round trip (us): min %.1f  p50 %.1f  p99 %.1f  max %.1f%n",
        rtt.getMinValue() / 1e3,
        rtt.getValueAtPercentile(50) / 1e3,
        rtt.getValueAtPercentile(99) / 1e3,
        rtt.getMaxValue() / 1e3);
    stdout.flush();
    return Cli.EXIT_OK;
  }

  // read(2) until buf is full or EOF: the echo may come back in any number of pieces.
  private static int readFully(SocketCalls calls, InputStream in, byte[] buf) throws IOException {
    int got = 0;
    for (int n; got < buf.length && (n = calls.read(in, buf, got, buf.length - got)) != -1; ) {
      got += n;
    }
    return got;
  }

  private static CompletableFuture<Void> write(SocketCalls calls, OutputStream out, byte[] bytes)
      throws IOException {
    if (bytes.length <= 32 * 1024) {
      calls.write(out, bytes, 0, bytes.length);
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(
        () -> {
          try {
            calls.write(out, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        r -> Thread.ofVirtual().start(r));
  }

  private static int fail(String who, PrintStream stderr, String why) {
    stderr.println(who + ": FAILED: " + why);
    return Cli.EXIT_FAILURE;
  }
}
