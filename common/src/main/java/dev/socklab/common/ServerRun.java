package dev.socklab.common;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The life of every socklab server process: install the SIGINT/SIGTERM handlers, start, print the
 * one-line banner, wait for a signal, stop gracefully, print the one-line summary, exit 0.
 */
public final class ServerRun {
  private ServerRun() {}

  /** A started server, as {@link #untilSignalled} needs it. */
  public interface Started {
    /**
     * @return the banner: what listens where and how to connect, e.g. {@code "echo-server listening
     *     on [::]:7007 (...) — try: nc localhost 7007"}
     */
    String banner();

    /**
     * Stops gracefully and says what the server did.
     *
     * @return the summary without the server's name, e.g. {@code "3 clients served, ..."}
     */
    String stop();
  }

  /**
   * Runs a server until SIGINT or SIGTERM, then stops it.
   *
   * @param name the server's name for the summary line, e.g. {@code "echo-server"}
   * @param start binds and starts the server; may throw {@link UserError}
   * @return {@link Cli#EXIT_OK}
   * @throws Exception what {@code start} throws
   */
  public static int untilSignalled(String name, Callable<Started> start) throws Exception {
    Signals signals = Signals.install(); // before start: a signal during startup is not lost
    long started = System.nanoTime();
    Started server = start.call();
    System.out.println(server.banner());
    System.out.flush();
    signals.await();
    String summary = server.stop();
    System.out.printf(
        "%s stopped (%s): %s, up %s%n",
        name,
        signals.signalName(),
        summary,
        Durations.format(Duration.ofNanos(System.nanoTime() - started)));
    return Cli.EXIT_OK;
  }
}
