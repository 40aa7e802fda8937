package dev.socklab.common;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The life of every socklab server process: install the SIGINT/SIGTERM handlers, start, print the
 * one-line banner, wait for a signal, stop gracefully, print the one-line summary, exit 0.
 *
 * <p>If the server dies on its own instead (its accept, select or recvfrom loop fails, its
 * listening socket closes), the process must not linger with nothing listening: it stops what is
 * left, prints one line saying what failed, and exits {@link Cli#EXIT_FAILURE}.
 */
public final class ServerRun {
  private ServerRun() {}

  /**
   * A started server, as {@link #untilSignalled} needs it.
   *
   * @param banner what listens where and how to connect, e.g. {@code "echo-server listening on
   *     [::]:7007 (...) — try: nc localhost 7007"}
   * @param failure completes with the cause if the server's loop dies on its own; never completes
   *     while the server is healthy
   * @param stop stops gracefully and says what the server did, without the server's name, e.g.
   *     {@code "3 clients served, ..."}
   * @param finished completes when the server's work is done on its own, e.g. the one connection of
   *     {@code --inetd} ended: the server then stops as after a signal and exits 0
   */
  public record Started(
      String banner,
      CompletableFuture<Throwable> failure,
      Supplier<String> stop,
      CompletableFuture<?> finished) {

    /**
     * A server that runs until a signal (or its failure): {@code finished} never completes.
     *
     * @param banner what listens where and how to connect
     * @param failure completes with the cause if the server's loop dies on its own
     * @param stop stops gracefully and says what the server did
     */
    public Started(String banner, CompletableFuture<Throwable> failure, Supplier<String> stop) {
      this(banner, failure, stop, new CompletableFuture<>());
    }
  }

  /**
   * Runs a server until SIGINT or SIGTERM (or until it has {@linkplain Started#finished finished}),
   * then stops it.
   *
   * @param name the server's name for the summary line, e.g. {@code "echo-server"}
   * @param start binds and starts the server; may throw {@link UserError}
   * @return {@link Cli#EXIT_OK} after a signal, {@link Cli#EXIT_FAILURE} if the server died
   * @throws Exception what {@code start} throws
   */
  public static int untilSignalled(String name, Callable<Started> start) throws Exception {
    return untilSignalled(name, start, Signals.install(), System.out, System.err);
  }

  /**
   * As {@link #untilSignalled(String, Callable)}, with the signal handle and streams given (tests).
   *
   * @param name the server's name
   * @param start binds and starts the server
   * @param signals installed before {@code start}, so a signal during startup is not lost
   * @param out where the banner and summary go
   * @param err where the one line about a dead server goes
   * @return {@link Cli#EXIT_OK} or {@link Cli#EXIT_FAILURE}
   * @throws Exception what {@code start} throws
   */
  public static int untilSignalled(
      String name, Callable<Started> start, Signals signals, PrintStream out, PrintStream err)
      throws Exception {
    long started = System.nanoTime();
    Started server = start.call();
    AtomicReference<Throwable> died = new AtomicReference<>();
    server
        .failure()
        .thenAccept(
            e -> {
              died.set(e);
              signals.request(); // wake the wait below as a signal would
            });
    server.finished().thenRun(() -> signals.request("connection ended"));
    out.println(server.banner());
    out.flush();
    signals.await();
    String summary = server.stop().get();
    Throwable cause = died.get();
    if (cause != null) {
      err.println("socklab " + name + ": the server failed and exits: " + describe(cause));
      err.flush();
      return Cli.EXIT_FAILURE;
    }
    // One println, one write(2): servers started per connection share one stderr (socat, the
    // journal), and printf's pieces, each its own write, would interleave with another's line.
    out.println(
        String.format(
            "%s stopped (%s): %s, up %s",
            name,
            signals.signalName(),
            summary,
            Durations.format(Duration.ofNanos(System.nanoTime() - started))));
    return Cli.EXIT_OK;
  }

  // "ClosedByInterruptException" says nothing to a user: name the errno or the message.
  private static String describe(Throwable e) {
    NetErrors.Errno errno = NetErrors.errno(e);
    String msg = NetErrors.message(e);
    return errno == null ? msg : msg + " (" + errno + ")";
  }

  /**
   * A count with its noun, for summary lines: {@code count(1, "client", "clients")} is {@code "1
   * client"}, {@code count(3, ...)} is {@code "3 clients"}.
   *
   * @param n how many, 0 or more
   * @param one the noun for exactly one
   * @param many the noun for any other number (0 too, as English has it)
   * @return {@code n}, a space and the noun
   */
  public static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
