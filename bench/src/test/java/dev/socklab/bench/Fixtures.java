package dev.socklab.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Rows built by hand, without a network: two targets over a sweep, one of them failing once. */
final class Fixtures {
  static final BenchTarget A = BenchTarget.parse("a=127.0.0.1:7007");
  static final BenchTarget B = BenchTarget.unix(java.nio.file.Path.of("/tmp/echo.sock"));

  /** The failure of B at conns=100: a comma and a quote, as CSV must quote them. */
  static final String FAILURE = "1 mismatched, first: got \"xy\" at byte 3";

  private Fixtures() {}

  /**
   * @param target the server
   * @param sweep the sweep point, or null
   * @param opsPerSecond each round's throughput
   * @param server the server's usage in each round, or null
   * @return an ok row with latencies of 2 µs to 1 ms (more with more conns) and one of 2 ms
   */
  static Row ok(BenchTarget target, Long sweep, ServerUsage server, double... opsPerSecond) {
    Histogram h = new Histogram(3);
    List<Round> rounds = new ArrayList<>();
    for (double t : opsPerSecond) {
      Histogram r = new Histogram(3);
      for (int i = 1; i <= 1000; i++) {
        r.recordValue((i * 1000L + 1000) * (1 + (sweep == null ? 0 : sweep / 10)));
      }
      r.recordValue(2_000_000);
      h.add(r);
      long nanos = Duration.ofSeconds(1).toNanos();
      rounds.add(new Round((long) t, (long) t, nanos, r, new Errors(), 0.5, server));
    }
    String load = "conns=" + (sweep == null ? 50 : sweep) + " size=64 closed loop";
    return new Row(
        target, sweep, load, "round trips/s", rounds, h, new Errors(), null, new ArrayList<>());
  }

  /**
   * @param target the server
   * @param sweep the sweep point, or null
   * @return a row that failed with {@link #FAILURE}
   */
  static Row failed(BenchTarget target, Long sweep) {
    Errors e = new Errors();
    e.mismatched.incrementAndGet();
    Histogram h = new Histogram(3);
    h.recordValue(40_000);
    Round r = new Round(10, 11, 1_000_000_000L, h, e, 0.1, null);
    String load = "conns=" + (sweep == null ? 50 : sweep) + " size=64 closed loop";
    return new Row(target, sweep, load, "round trips/s", List.of(r), h, e, FAILURE, List.of());
  }

  /**
   * @return a sweep over conns=1,10,100: A and B, B failing at 100; server usage for A
   */
  static List<Row> sweep() {
    ServerUsage u = new ServerUsage(40L << 20, 0.85, 4);
    Row a1 = ok(A, 1L, u, 10_000, 11_000, 10_500);
    a1.warnings().add("rounds differ by 10% of the median: the machine is noisy");
    return List.of(
        a1,
        ok(B, 1L, null, 20_000, 21_000, 19_000),
        ok(A, 10L, new ServerUsage(48L << 20, 1.2, 4), 50_000, 52_000, 51_000),
        ok(B, 10L, null, 90_000, 91_000, 89_000),
        ok(A, 100L, new ServerUsage(64L << 20, 1.9, 4), 80_000, 79_000, 81_000),
        failed(B, 100L));
  }

  /**
   * @return A and B without a sweep
   */
  static List<Row> single() {
    return List.of(ok(A, null, null, 10_000, 12_000), ok(B, null, null, 30_000, 31_000));
  }

  /**
   * @param sweep with a sweep over conns
   * @return a plan of 3 rounds over 3 s after a 1 s warm-up
   */
  static Runner.Plan plan(boolean sweep) {
    return new Runner.Plan(
        Duration.ofSeconds(1),
        Budget.of(Duration.ofSeconds(3)),
        3,
        sweep ? "conns" : null,
        sweep ? List.of(1L, 10L, 100L) : List.of(),
        0.0);
  }
}
