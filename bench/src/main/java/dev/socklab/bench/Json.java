package dev.socklab.bench;

import java.nio.file.Path;
import java.util.List;

/** Writes results as JSON. (Stub: to be written.) */
final class Json {
  private Json() {}

  /**
   * @param file where to write
   * @param rows the results
   * @param plan the plan they were measured with
   */
  static void write(Path file, List<Row> rows, Runner.Plan plan) {}
}
