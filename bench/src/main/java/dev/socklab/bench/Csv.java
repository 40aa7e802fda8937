package dev.socklab.bench;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes results as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a
 * comma, quote or line break, a quote doubled inside it), UTF-8, with a header line and one line
 * per target and sweep point.
 *
 * <p>Columns: {@code load, target, address, sweep_parameter, sweep_value, unit, throughput} (the
 * median of the rounds, operations/s), {@code ratio} (to the first target at the same sweep point),
 * {@code rounds}, {@code round_throughputs} (every round's operations/s in the order they ran,
 * joined by {@code ;} in one column, so that the columns stay the same whatever {@code --rounds}),
 * {@code p50_us, p90_us, p99_us, p99_9_us, max_us} (latency in µs), {@code errors} (the total),
 * then one column per kind ({@code mismatched, lost, duplicated, closed, connect_failed,
 * unsynced}), {@code failure}, {@code server_max_rss_bytes}, {@code server_cpu} (1.0 = one core),
 * {@code server_threads}, {@code warnings} (joined by {@code " | "}).
 *
 * <p>A failed row leaves throughput, ratio, round throughputs and latency empty: a server that
 * changes or loses data has no throughput to report. Empty too: the sweep columns without {@code
 * --sweep}, and the server columns without {@code --server-pid}.
 */
final class Csv {
  static final List<String> HEADER =
      List.of(
          "load",
          "target",
          "address",
          "sweep_parameter",
          "sweep_value",
          "unit",
          "throughput",
          "ratio",
          "rounds",
          "round_throughputs",
          "p50_us",
          "p90_us",
          "p99_us",
          "p99_9_us",
          "max_us",
          "errors",
          "mismatched",
          "lost",
          "duplicated",
          "closed",
          "connect_failed",
          "unsynced",
          "failure",
          "server_max_rss_bytes",
          "server_cpu",
          "server_threads",
          "warnings");

  private Csv() {}

  /**
   * Writes the file atomically (a temporary file moved into place).
   *
   * @param file where to write
   * @param rows the results, in run order
   * @param sweepParameter the swept parameter, or null
   * @throws dev.socklab.common.UserError if the file cannot be written (one line, exit 1)
   */
  static void write(Path file, List<Row> rows, String sweepParameter) {
    Outputs.write(
        file,
        "--csv",
        out -> {
          Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
          w.write(line(HEADER));
          for (Row r : rows) {
            w.write(line(fields(r, rows, sweepParameter)));
          }
          w.flush();
        });
  }

  // One row's fields, in HEADER's order; null for an empty field.
  private static List<String> fields(Row r, List<Row> rows, String sweepParameter) {
    boolean ok = r.ok();
    List<String> f = new ArrayList<>();
    f.add(r.load());
    f.add(r.target().name());
    f.add(Outputs.address(r.target()));
    f.add(r.sweepValue() == null ? null : sweepParameter);
    f.add(r.sweepValue() == null ? null : r.sweepValue().toString());
    f.add(r.unit());
    f.add(ok ? Outputs.number(r.throughput(), 1) : null);
    Double ratio = Outputs.ratio(r, rows);
    f.add(ratio == null ? null : Outputs.number(ratio, 4));
    f.add(Integer.toString(r.rounds().size()));
    f.add(
        ok
            ? String.join(
                ";", r.rounds().stream().map(x -> Outputs.number(x.throughput(), 1)).toList())
            : null);
    for (double p : new double[] {50, 90, 99, 99.9}) {
      f.add(ok ? Outputs.micros(r.percentile(p)) : null);
    }
    f.add(ok ? Outputs.micros(r.latency().getMaxValue()) : null);
    Errors e = r.errors();
    for (long n :
        new long[] {
          e.total(),
          e.mismatched.get(),
          e.lost.get(),
          e.duplicated.get(),
          e.closed.get(),
          e.connectFailed.get(),
          e.unsynced.get()
        }) {
      f.add(Long.toString(n));
    }
    f.add(r.failure());
    f.add(r.serverRss() < 0 ? null : Long.toString(r.serverRss()));
    f.add(r.serverCpu() < 0 ? null : Outputs.number(r.serverCpu(), 3));
    f.add(r.serverThreads() < 0 ? null : Integer.toString(r.serverThreads()));
    f.add(r.warnings().isEmpty() ? null : String.join(" | ", r.warnings()));
    return f;
  }

  // RFC 4180 section 2: fields joined by commas, the record ended by CRLF.
  private static String line(List<String> fields) {
    return String.join(",", fields.stream().map(Csv::field).toList()) + "\r\n";
  }

  // RFC 4180 section 2, rules 6 and 7: quote a field with a comma, quote or line break.
  static String field(String s) {
    if (s == null) {
      return "";
    }
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
