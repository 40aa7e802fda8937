package dev.socklab.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code --trace} and {@code --quiet}: how much a server or client says on stderr.
 *
 * <p>Default: one log line per connection event. {@code --quiet}: warnings and errors only (the
 * banner and the summary still print). {@code --trace}: additionally every socket call, named as in
 * C (see {@link Trace}).
 */
public final class LogOptions {
  @Option(
      names = "--trace",
      description =
          "Print each socket call as the C API names it (socket, bind, listen, accept, read,"
              + " write, shutdown, close), with a short hex dump of the bytes.")
  boolean trace;

  @Option(
      names = {"-q", "--quiet"},
      description = "Log only warnings and errors (no per-connection lines).")
  boolean quiet;

  /**
   * Applies the levels to the logging backend and returns the tracer the options ask for.
   *
   * @return an enabled {@link Trace} with {@code --trace}, a disabled one otherwise
   */
  public Trace apply() {
    return apply(trace, quiet);
  }

  /**
   * Applies the levels for a command that declares its own {@code --trace} (one whose calls are not
   * the socket calls this mixin's help names, such as getaddrinfo).
   *
   * @param trace whether trace lines are written
   * @param quiet warnings and errors only
   * @return an enabled {@link Trace} if {@code trace}, a disabled one otherwise
   */
  public static Trace apply(boolean trace, boolean quiet) {
    LogSetup.awaitBackground();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(quiet ? Level.WARN : Level.INFO);
    ((Logger) LoggerFactory.getLogger(Trace.LOGGER)).setLevel(trace ? Level.INFO : Level.OFF);
    return trace ? Trace.enabled() : Trace.disabled();
  }
}
