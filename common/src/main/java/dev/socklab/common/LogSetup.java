package dev.socklab.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.slf4j.Logger;

/**
 * Logback's configuration for every socklab program, in code: one line per event on stderr, {@code
 * HH:mm:ss.SSS LEVEL message} (stdout carries the banner, the summary and, for clients, the data).
 * Netty logs warnings only; {@value Trace#LOGGER} is off until {@code --trace}.
 *
 * <p>Found by logback through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}. It
 * replaces a {@code logback.xml} that cost a server about a third of its startup (logback's XML
 * parser, its configuration model and the pattern compiler: some 700 classes loaded before the
 * banner). {@code -Dlogback.configurationFile=...} (e.g. in {@code SOCKLAB_JAVA_OPTS}) or a {@code
 * logback-test.xml} on a test class path still wins: then this configurator steps aside. A {@code
 * logback.xml} does not: a build that is not clean may still carry the old one.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
  /** Logback needs a public no-argument constructor for a service. */
  public LogSetup() {}

  private static volatile Thread inBackground;

  /**
   * Starts logback's set-up (SLF4J's provider lookup, this configuration, the time zone's rules) on
   * a daemon thread, for a server's {@code main} to call first: 40-50 ms on a 2-core machine that
   * then overlap picocli's reading of the command line instead of following it. {@link
   * LogOptions#apply} waits for it: SLF4J hands a thread that asks while another sets it up a
   * stand-in logger, not logback's. Nothing is printed; whatever fails fails again where a logger
   * is first asked for.
   */
  public static void startInBackground() {
    inBackground = HeadStart.start("log-set-up", org.slf4j.LoggerFactory::getILoggerFactory);
  }

  /**
   * Waits for {@link #startInBackground()}'s thread, if one was started: a thread that logs (or
   * runs a library that logs) while logback is being set up on another would get SLF4J's stand-in
   * logger, and SLF4J then prints a warning to stderr when it replays what was logged to it.
   */
  public static void awaitBackground() {
    HeadStart.await(inBackground);
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || getClass().getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    // As <statusListener class="NopStatusListener"/>: logback's own status never reaches the user.
    context.getStatusManager().add(new NopStatusListener());

    LineEncoder encoder = new LineEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger(Trace.LOGGER).setLevel(Level.OFF);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Makes and formats a log line, printing nothing: the classes and call sites a first log line
   * needs, for a server to load before its first client (see {@code EchoServer}).
   */
  public static void warmUp() {
    if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.spi.LoggingEvent event =
        new ch.qos.logback.classic.spi.LoggingEvent(
            LogSetup.class.getName(),
            context.getLogger(LogSetup.class),
            Level.INFO,
            "{} connected ({} connected)",
            null,
            new Object[] {"#0", 1});
    LineEncoder.format(event, ZoneId.systemDefault());
  }

  /**
   * {@code %d{HH:mm:ss.SSS} %-5level %msg%n}, and the stack trace of an event's exception as
   * logback's pattern layout prints it, without the pattern compiler.
   */
  static final class LineEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NONE = new byte[0];
    private final ZoneId zone = ZoneId.systemDefault();

    @Override
    public byte[] headerBytes() {
      return NONE;
    }

    @Override
    public byte[] footerBytes() {
      return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
      return format(event, zone).getBytes();
    }

    static String format(ILoggingEvent event, ZoneId zone) {
      StringBuilder line = new StringBuilder(96);
      LocalTime t = LocalTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), zone);
      two(line, t.getHour()).append(':');
      two(line, t.getMinute()).append(':');
      two(line, t.getSecond()).append('.');
      int ms = t.getNano() / 1_000_000;
      if (ms < 100) {
        line.append('0');
      }
      two(line, ms).append(' ');
      String level = event.getLevel().toString();
      line.append(level);
      for (int i = level.length(); i < 5; i++) {
        line.append(' ');
      }
      line.append(' ').append(event.getFormattedMessage()).append(System.lineSeparator());
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        line.append(ThrowableProxyUtil.asString(thrown));
      }
      return line.toString();
    }

    private static StringBuilder two(StringBuilder sb, int n) {
      if (n < 10) {
        sb.append('0');
      }
      return sb.append(n);
    }
  }
}
