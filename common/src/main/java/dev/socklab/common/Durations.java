package dev.socklab.common;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as users type them on a command line: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code
 * 5m}, or a plain number of seconds ({@code 30}), as {@code nc -w} and {@code timeout} take them.
 */
public final class Durations implements ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  /**
   * Parses a duration.
   *
   * @param text e.g. {@code "250ms"}, {@code "2s"}, {@code "30"} (seconds)
   * @return the duration, never negative
   * @throws TypeConversionException if {@code text} is not a number with an optional unit ms, s, m
   *     or h
   */
  @Override
  public Duration convert(String text) {
    return parse(text);
  }

  /**
   * Parses a duration; see {@link #convert(String)}.
   *
   * @param text e.g. {@code "250ms"}, {@code "2s"}, {@code "30"} (seconds)
   * @return the duration, never negative
   * @throws TypeConversionException if {@code text} is not a duration
   */
  public static Duration parse(String text) {
    Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration: use e.g. 500ms, 2s, 1.5s, 5m or a number of seconds");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double ms =
        switch (unit) {
          case "ms" -> value;
          case "s" -> value * 1_000;
          case "m" -> value * 60_000;
          default -> value * 3_600_000;
        };
    return Duration.ofMillis(Math.round(ms));
  }

  /**
   * Formats a duration compactly for banners and logs.
   *
   * @param d a duration
   * @return e.g. {@code "250 ms"}, {@code "2 s"}, {@code "1.5 s"}
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
