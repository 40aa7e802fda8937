package dev.socklab.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text table bench prints: one block per sweep point, one line per target, with ratios to the
 * first target, then the warnings. A failed target's line says why instead of giving numbers: a
 * throughput measured against a server that changes or loses data is not a result.
 */
final class Table {
  private static final String[] HEAD = {
    "target", "UNIT", "ratio", "p50", "p90", "p99", "p99.9", "max", "server RSS", "server CPU"
  };

  private Table() {}

  /**
   * Prints one sweep point's block.
   *
   * @param out where to print
   * @param heading the line above the table (the workload and the plan)
   * @param rows the point's rows, in target order; the first is the base of the ratios
   */
  static void print(PrintWriter out, String heading, List<Row> rows) {
    out.println(heading);
    boolean server = rows.stream().anyMatch(r -> r.serverRss() >= 0);
    List<String[]> lines = new ArrayList<>();
    String[] head = HEAD.clone();
    head[1] = rows.get(0).unit();
    lines.add(server ? head : java.util.Arrays.copyOf(head, 8));
    Row base = rows.get(0);
    List<String> failures = new ArrayList<>();
    for (Row r : rows) {
      if (!r.ok()) {
        failures.add(r.target().name() + ": FAILED: " + r.failure());
        continue;
      }
      List<String> cells = new ArrayList<>();
      cells.add(r.target().name());
      cells.add(String.format(Locale.ROOT, "%,.0f", r.throughput()));
      cells.add(
          base.ok() && base.throughput() > 0
              ? String.format(Locale.ROOT, "%.2f", r.throughput() / base.throughput())
              : "-");
      for (double p : new double[] {50, 90, 99, 99.9}) {
        cells.add(ms(r.percentile(p)));
      }
      cells.add(ms(r.latency().getMaxValue()));
      if (server) {
        cells.add(r.serverRss() < 0 ? "-" : mib(r.serverRss()));
        cells.add(
            r.serverCpu() < 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.serverCpu()));
      }
      lines.add(cells.toArray(String[]::new));
    }
    aligned(out, lines);
    for (String f : failures) {
      out.println("  " + f);
    }
    for (Row r : rows) {
      for (String w : r.warnings()) {
        out.println("  note: " + r.target().name() + ": " + w);
      }
    }
    out.flush();
  }

  /**
   * Prints lines of cells as columns, indented by two spaces: the first column (names) aligned
   * left, the others (numbers) right.
   *
   * @param out where to print
   * @param lines the heading's cells first, then one array per line, all of the same length
   */
  static void aligned(PrintWriter out, List<String[]> lines) {
    int[] width = new int[lines.get(0).length];
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        width[i] = Math.max(width[i], l[i].length());
      }
    }
    for (String[] l : lines) {
      StringBuilder sb = new StringBuilder("  ");
      for (int i = 0; i < l.length; i++) {
        sb.append(i == 0 ? pad(l[i], width[i], false) : pad(l[i], width[i], true));
        sb.append(i + 1 < l.length ? "  " : "");
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  /**
   * @param nanos a latency in ns
   * @return it in ms with 3 significant digits, e.g. {@code 0.482 ms}, {@code 12.4 ms}
   */
  static String ms(long nanos) {
    double ms = nanos / 1e6;
    String f = ms < 1 ? "%.3f ms" : ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms";
    return String.format(Locale.ROOT, f, ms);
  }

  /**
   * @param bytes a size in bytes
   * @return it in MiB, e.g. {@code 41.2 MiB}
   */
  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(Math.max(0, width - s.length()));
    return right ? fill + s : s + fill;
  }
}
