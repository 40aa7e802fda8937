package dev.socklab.common.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.socklab.common.Trace;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.slf4j.LoggerFactory;

/**
 * Records the {@code --trace} lines of an in-process server or client: while open, the trace logger
 * is on and every line it writes is kept, in order. Tests compare them with the calls the code is
 * expected to make (JUnit's {@code assertLinesMatch}: each expected line is the text, or a regular
 * expression for ports and counts). Not for parallel tests: the logger is global.
 */
public final class TraceRecorder implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger(Trace.LOGGER);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level before = logger.getLevel();

  /** Starts recording. */
  public TraceRecorder() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
  }

  /**
   * @return the lines traced so far, in order
   */
  public List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /**
   * Asserts that {@code actual} trace lines are {@code expected}, line for line (each expected line
   * is the text or a regular expression), showing every actual line when they differ.
   *
   * @param expected the calls expected, in order
   * @param actual the lines traced
   */
  public static void assertCalls(List<String> expected, List<String> actual) {
    Assertions.assertLinesMatch(
        expected, actual, () -> "trace lines were:\n  " + String.join("\n  ", actual) + "\n");
  }

  /** Stops recording and restores the logger. */
  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(before);
    appender.stop();
  }
}
