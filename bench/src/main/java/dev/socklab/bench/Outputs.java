package dev.socklab.bench;

import dev.socklab.common.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** What the CSV, JSON and chart writers share: the atomic write, addresses, ratios, numbers. */
final class Outputs {
  private Outputs() {}

  /** Writes a whole file's content to a stream. */
  interface Content {
    /**
     * @param out the temporary file's stream
     * @throws IOException if writing fails
     */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code file} through a temporary file in the same directory, then moves it into place
   * atomically: a reader (or a crash) never sees half a file, and an old file stays whole until the
   * new one is complete.
   *
   * @param file where to write
   * @param option the option that named it, for the message, e.g. {@code --csv}
   * @param content what to write
   * @throws UserError if the directory is missing or not writable, or the disk is full (one line,
   *     exit 1)
   */
  static void write(Path file, String option, Content content) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      // Not Files.createTempFile: its mode 0600 would stay with the file; this one gets umask's.
      tmp =
          dir.resolve(
              "."
                  + file.getFileName()
                  + "."
                  + ProcessHandle.current().pid()
                  + "."
                  + System.nanoTime()
                  + ".tmp");
      try (OutputStream out =
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(out);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
    } catch (IOException e) {
      throw new UserError(option + " " + file + ": cannot write it: " + reason(e, dir), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the first failure is the one to report
        }
      }
    }
  }

  // The cause in a few words: NIO's exceptions carry only a path as their message.
  private static String reason(IOException e, Path dir) {
    if (e instanceof NoSuchFileException) {
      return "no such directory " + dir;
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied in " + dir;
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  /**
   * @param t a target
   * @return its address as the command line takes it: {@code HOST:PORT}, {@code unix:PATH} or
   *     {@code abstract:NAME}
   */
  static String address(BenchTarget t) {
    return switch (t.family()) {
      case INET -> t.where();
      case UNIX -> "unix:" + t.where();
      case ABSTRACT -> "abstract:" + t.where();
    };
  }

  /**
   * @param row a row
   * @param rows every row of the run
   * @return its throughput over that of the first target at the same sweep point, or null when
   *     either failed or the first measured nothing
   */
  static Double ratio(Row row, List<Row> rows) {
    Row base =
        rows.stream()
            .filter(r -> java.util.Objects.equals(r.sweepValue(), row.sweepValue()))
            .findFirst()
            .orElse(row);
    if (!row.ok() || !base.ok() || base.throughput() <= 0) {
      return null;
    }
    return row.throughput() / base.throughput();
  }

  /**
   * @param nanos a latency in ns
   * @return it in µs, exactly (three decimals at most), e.g. {@code 48.223}
   */
  static String micros(long nanos) {
    return BigDecimal.valueOf(nanos, 3).stripTrailingZeros().toPlainString();
  }

  /**
   * @param value a number
   * @param decimals digits after the point
   * @return it rounded, without an exponent, e.g. {@code 12345.7}; null if not finite
   */
  static String number(double value, int decimals) {
    if (!Double.isFinite(value)) {
      return null;
    }
    return BigDecimal.valueOf(value)
        .setScale(decimals, RoundingMode.HALF_EVEN)
        .stripTrailingZeros()
        .toPlainString();
  }
}
