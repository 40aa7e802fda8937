package dev.socklab.bench;

import java.nio.file.Path;
import java.util.List;

/** Draws results. (Stub: to be written.) */
final class Chart {
  private Chart() {}

  /**
   * @param file a .png or .svg
   * @param rows the results
   * @param sweepParameter the swept parameter, or null
   * @param width pixels
   * @param height pixels
   */
  static void write(Path file, List<Row> rows, String sweepParameter, int width, int height) {}
}
