package dev.socklab.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {
  private static final ZoneId UTC = ZoneOffset.UTC;

  @Test
  void configuresStderrInfoNettyWarnTraceOff() {
    LoggerContext context = new LoggerContext();
    LogSetup setup = new LogSetup();
    setup.setContext(context);

    assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(root.getAppender("STDERR")).isNotNull();
    assertThat(root.getAppender("STDERR").isStarted()).isTrue();
    assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger(Trace.LOGGER).getEffectiveLevel()).isEqualTo(Level.OFF);
  }

  @Test
  void theRunningProgramsAreConfiguredByIt() {
    // The service file is found: the real context has the appender this class installs.
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getAppender("STDERR")).isNotNull();
  }

  @Test
  void aLineIsTimeLevelMessage() {
    assertThat(LogSetup.LineEncoder.format(event(Level.INFO, "hello {}", null, 7, 5, 9, 42), UTC))
        .isEqualTo("07:05:09.042 INFO  hello world" + System.lineSeparator());
    assertThat(LogSetup.LineEncoder.format(event(Level.WARN, "w", null, 23, 59, 59, 999), UTC))
        .isEqualTo("23:59:59.999 WARN  w" + System.lineSeparator());
    assertThat(LogSetup.LineEncoder.format(event(Level.ERROR, "e", null, 0, 0, 0, 5), UTC))
        .isEqualTo("00:00:00.005 ERROR e" + System.lineSeparator());
  }

  @Test
  void anExceptionFollowsWithItsStackTrace() {
    String line =
        LogSetup.LineEncoder.format(
            event(Level.ERROR, "failed", new IllegalStateException("boom"), 1, 2, 3, 4), UTC);
    assertThat(line)
        .startsWith("01:02:03.004 ERROR failed" + System.lineSeparator())
        .contains("java.lang.IllegalStateException: boom")
        .contains("\tat dev.socklab.common.LogSetupTest.anExceptionFollowsWithItsStackTrace")
        .endsWith(System.lineSeparator());
  }

  private static LoggingEvent event(
      Level level, String message, Throwable thrown, int h, int m, int s, int ms) {
    LoggerContext context = new LoggerContext();
    LoggingEvent e =
        new LoggingEvent(
            "x", context.getLogger("x"), level, message, thrown, new Object[] {"world"});
    e.setTimeStamp(
        LocalDateTime.of(2024, 1, 1, h, m, s, ms * 1_000_000)
            .toInstant(ZoneOffset.UTC)
            .toEpochMilli());
    return e;
  }
}
