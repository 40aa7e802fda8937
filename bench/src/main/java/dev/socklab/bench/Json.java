package dev.socklab.bench;

import dev.socklab.common.JsonText;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes results as one JSON document (RFC 8259), UTF-8, for programs: the machine, the plan, and
 * per target and sweep point the median throughput, ratio, every round, latency percentiles in µs,
 * errors by kind, the server's resources and the warnings.
 *
 * <pre>
 * {"socklab_bench": 1, "date": "2026-01-01T12:00:00Z",
 *  "machine": {"cores", "kernel", "java", "os", "arch"},
 *  "plan": {"warmup_ms", "duration_ms" | "count", "rounds", "sweep": {"parameter", "values"} | null,
 *           "max_loss_percent"},
 *  "results": [{"target": {"name", "family", "address"}, "load", "unit", "sweep_value", "ok",
 *     "failure", "throughput", "ratio",
 *     "rounds": [{"throughput", "operations", "sent", "measured_ms", "client_busy", "server"}],
 *     "latency_us": {"p50", "p90", "p99", "p99_9", "p99_99", "max", "mean", "count"},
 *     "errors": {"total", "mismatched", "lost", "duplicated", "closed", "connect_failed", "unsynced",
 *                "first_detail"},
 *     "server": {"max_rss_bytes", "cpu_share", "max_threads"} | null, "warnings": [...]}]}
 * </pre>
 *
 * Throughput is in operations/s ({@code unit} names the operation), {@code cpu_share} and {@code
 * client_busy} are CPU time over wall time (1.0 = one core). A failed row ({@code "ok": false}) has
 * null throughput, ratio, round throughputs and latency: a server that changes or loses data has no
 * throughput to report; its counts stay, to show how far it got. A number that is not finite is
 * written as null (JSON has no NaN).
 */
final class Json {
  /** The version of this document's layout; raised when a field changes meaning or goes. */
  static final int VERSION = 1;

  private Json() {}

  /**
   * Writes the file atomically (a temporary file moved into place).
   *
   * @param file where to write
   * @param rows the results, in run order
   * @param plan the plan they were measured with
   * @throws dev.socklab.common.UserError if the file cannot be written (one line, exit 1)
   */
  static void write(Path file, List<Row> rows, Runner.Plan plan) {
    String text = document(rows, plan);
    Outputs.write(file, "--json", out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * @param rows the results
   * @param plan their plan
   * @return the document, one result per line
   */
  static String document(List<Row> rows, Runner.Plan plan) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("socklab_bench", VERSION);
    doc.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    doc.put("machine", machine());
    doc.put("plan", plan(plan));
    StringBuilder b = new StringBuilder();
    value(b, doc);
    // "results" last, one per line: readable with less, and diff-able.
    b.setLength(b.length() - 1);
    b.append(",\"results\":[");
    for (int i = 0; i < rows.size(); i++) {
      b.append(i == 0 ? "\n" : ",\n");
      value(b, result(rows.get(i), rows));
    }
    return b.append("\n]}\n").toString();
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    String kernel;
    try {
      kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    } catch (IOException e) {
      kernel = null; // not Linux, or no /proc
    }
    m.put("kernel", kernel);
    m.put("java", Runtime.version().toString());
    m.put("os", System.getProperty("os.name"));
    m.put("arch", System.getProperty("os.arch"));
    return m;
  }

  private static Map<String, Object> plan(Runner.Plan plan) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("warmup_ms", plan.warmup().toMillis());
    p.put("first_warmup_ms", plan.firstWarmup().toMillis()); // the run's first: bench's JIT too
    if (plan.budget().timed()) {
      p.put("duration_ms", plan.budget().duration().toMillis());
    } else {
      p.put("count", plan.budget().count());
    }
    p.put("rounds", plan.rounds());
    Map<String, Object> sweep = null;
    if (plan.sweepParameter() != null) {
      sweep = new LinkedHashMap<>();
      sweep.put("parameter", plan.sweepParameter());
      sweep.put("values", plan.sweepValues());
    }
    p.put("sweep", sweep);
    p.put("max_loss_percent", exact(100 * plan.maxLoss(), 6));
    return p;
  }

  private static Map<String, Object> result(Row r, List<Row> rows) {
    boolean ok = r.ok();
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("name", r.target().name());
    target.put("family", r.target().family().name().toLowerCase(java.util.Locale.ROOT));
    target.put("address", Outputs.address(r.target()));
    m.put("target", target);
    m.put("load", r.load());
    m.put("unit", r.unit());
    m.put("sweep_value", r.sweepValue());
    m.put("ok", ok);
    m.put("failure", r.failure());
    m.put("throughput", ok ? exact(r.throughput(), 1) : null);
    Double ratio = Outputs.ratio(r, rows);
    m.put("ratio", ratio == null ? null : exact(ratio, 4));
    List<Object> rounds = new ArrayList<>();
    for (Round round : r.rounds()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("throughput", ok ? exact(round.throughput(), 1) : null);
      x.put("operations", round.operations());
      x.put("sent", round.sent());
      x.put("measured_ms", exact(round.measuredNanos() / 1e6, 3));
      x.put("client_busy", exact(round.clientBusy(), 3));
      x.put("server", round.server() == null ? null : server(round.server()));
      rounds.add(x);
    }
    m.put("rounds", rounds);
    Map<String, Object> latency = null;
    if (ok) {
      latency = new LinkedHashMap<>();
      latency.put("p50", micros(r.percentile(50)));
      latency.put("p90", micros(r.percentile(90)));
      latency.put("p99", micros(r.percentile(99)));
      latency.put("p99_9", micros(r.percentile(99.9)));
      latency.put("p99_99", micros(r.percentile(99.99)));
      latency.put("max", micros(r.latency().getMaxValue()));
      latency.put("mean", exact(r.latency().getMean() / 1000, 3));
      latency.put("count", r.latency().getTotalCount());
    }
    m.put("latency_us", latency);
    Errors e = r.errors();
    Map<String, Object> errors = new LinkedHashMap<>();
    errors.put("total", e.total());
    errors.put("mismatched", e.mismatched.get());
    errors.put("lost", e.lost.get());
    errors.put("duplicated", e.duplicated.get());
    errors.put("closed", e.closed.get());
    errors.put("connect_failed", e.connectFailed.get());
    errors.put("unsynced", e.unsynced.get());
    errors.put("first_detail", e.firstDetail());
    m.put("errors", errors);
    m.put(
        "server",
        r.serverRss() < 0
            ? null
            : server(new ServerUsage(r.serverRss(), r.serverCpu(), r.serverThreads())));
    m.put("warnings", r.warnings());
    return m;
  }

  private static Map<String, Object> server(ServerUsage u) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("max_rss_bytes", u.maxRssBytes());
    s.put("cpu_share", exact(u.cpuShare(), 3));
    s.put("max_threads", u.maxThreads());
    return s;
  }

  private static BigDecimal micros(long nanos) {
    return new BigDecimal(Outputs.micros(nanos));
  }

  // A rounded number, written without an exponent; null (not NaN) when not finite.
  private static BigDecimal exact(double value, int decimals) {
    String s = Outputs.number(value, decimals);
    return s == null ? null : new BigDecimal(s);
  }

  // Maps, lists, strings, numbers, booleans and null as JSON (RFC 8259).
  private static void value(StringBuilder b, Object v) {
    switch (v) {
      case null -> b.append("null");
      case String s -> b.append(JsonText.quote(s));
      case BigDecimal d -> b.append(d.toPlainString());
      case Double d -> b.append(Double.isFinite(d) ? d.toString() : "null");
      case Number n -> b.append(n);
      case Boolean x -> b.append(x);
      case Map<?, ?> map -> {
        b.append('{');
        String sep = "";
        for (Map.Entry<?, ?> e : map.entrySet()) {
          b.append(sep).append(JsonText.quote(e.getKey().toString())).append(':');
          value(b, e.getValue());
          sep = ",";
        }
        b.append('}');
      }
      case List<?> list -> {
        b.append('[');
        for (int i = 0; i < list.size(); i++) {
          b.append(i == 0 ? "" : ",");
          value(b, list.get(i));
        }
        b.append(']');
      }
      default -> throw new IllegalArgumentException("not a JSON value: " + v.getClass());
    }
  }
}
