package dev.socklab.bench;

import java.nio.file.Path;
import java.util.List;

/** Writes results as CSV. (Stub: to be written.) */
final class Csv {
  private Csv() {}

  /**
   * @param file where to write
   * @param rows the results
   * @param sweepParameter the swept parameter, or null
   */
  static void write(Path file, List<Row> rows, String sweepParameter) {}
}
