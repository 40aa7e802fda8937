package dev.socklab.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a load against every target: for each sweep point, a warm-up round per target (not counted),
 * then the measured rounds interleaved, A B A B ..., so that whatever else the machine does in the
 * meantime falls on every target alike. A target that fails (a mismatch, a loss beyond the limit)
 * is not measured again.
 *
 * <p>A load that keeps its connections ({@link Load#hold}) keeps them from a target's warm-up
 * through its last round at a sweep point, so a round measures the server's work, not connect(2),
 * unless every target's connections together would pass {@value #MAX_HELD_CONNECTIONS}: then each
 * round connects anew, and only one target's connections are open at a time.
 */
final class Runner {
  /**
   * What to run.
   *
   * @param warmup the warm-up of each target at each sweep point; zero for none
   * @param budget the measured budget of each target at each sweep point, split over the rounds
   * @param rounds measured rounds per target, 1 or more
   * @param sweepParameter the swept parameter's name, or null
   * @param sweepValues its values, in order; empty without a sweep
   * @param maxLoss the fraction of messages that may be lost, 0-1
   */
  record Plan(
      Duration warmup,
      Budget budget,
      int rounds,
      String sweepParameter,
      List<Long> sweepValues,
      double maxLoss) {
    /**
     * The run's first warm-up: at least {@link #OWN_JIT_WARMUP} (unless there is none), for bench's
     * own JIT warms up in it too; the later ones last {@link #warmup}.
     *
     * @return the first warm-up's length; zero for none
     */
    Duration firstWarmup() {
      return warmup.isZero() || warmup.compareTo(OWN_JIT_WARMUP) >= 0 ? warmup : OWN_JIT_WARMUP;
    }

    /**
     * @return the budget of one round
     */
    Budget perRound() {
      return budget.timed()
          ? Budget.of(budget.duration().dividedBy(rounds))
          : Budget.count(Math.max(1, budget.count() / rounds));
    }
  }

  /** Called as the run goes: the progress bar and the table listen. */
  interface Listener {
    /**
     * A round begins.
     *
     * @param target the server
     * @param sweepValue the sweep point, or null
     * @param warmup true for the warm-up round
     */
    default void roundStarts(BenchTarget target, Long sweepValue, boolean warmup) {}

    /**
     * Every target of a sweep point has its row.
     *
     * @param rows the rows of this point, in target order
     */
    default void pointDone(List<Row> rows) {}
  }

  /**
   * The most connections held open across rounds for all targets together (each is a descriptor
   * here and in a server); one target alone may always hold its own.
   */
  static final int MAX_HELD_CONNECTIONS = 10_000;

  /**
   * The least the run's first warm-up lasts, unless {@code --warmup 0}: bench's own JIT is still
   * compiling its reply path ~10 s into a run (C2 at work 5-9 s in, -XX:+PrintCompilation), and on
   * a 2-core machine each compilation delays replies. Against a C epoll echo server (50
   * connections, 64 B), bench's p99.9 was 1.33-1.37x a C load generator's after a 2 s warm-up and
   * 1.03-1.16x after 10 s (medians of 6-8 interleaved pairs); throughput and p50-p99 agreed either
   * way.
   */
  static final Duration OWN_JIT_WARMUP = Duration.ofSeconds(10);

  /** A warm-up shorter than twice this runs as one round. */
  static final Duration MIN_WARMUP_HALF = Duration.ofMillis(250);

  private final Session session;
  private final Load load;
  private final List<BenchTarget> targets;
  private final Map<BenchTarget, Long> serverPids;
  private final Plan plan;
  private final Listener listener;
  private boolean warmedUp; // the run's first warm-up is over

  /**
   * @param session bench's event loops
   * @param load the workload
   * @param targets the servers, 1 or more; the first is the one ratios compare with
   * @param serverPids the process of each target that has one ({@code --server-pid})
   * @param plan rounds, budget, warm-up, sweep
   * @param listener told as the run goes
   */
  Runner(
      Session session,
      Load load,
      List<BenchTarget> targets,
      Map<BenchTarget, Long> serverPids,
      Plan plan,
      Listener listener) {
    this.session = session;
    this.load = load;
    this.targets = targets;
    this.serverPids = serverPids;
    this.plan = plan;
    this.listener = listener;
  }

  /**
   * Runs everything.
   *
   * @return every row, sweep point by sweep point, targets in order within each
   * @throws InterruptedException if interrupted
   * @throws dev.socklab.common.UserError if a target cannot be reached at all
   */
  List<Row> run() throws InterruptedException {
    List<Row> rows = new ArrayList<>();
    List<Long> points = plan.sweepValues().isEmpty() ? nullList() : plan.sweepValues();
    for (Long value : points) {
      Load l = value == null ? load : load.with(plan.sweepParameter(), value);
      boolean keep =
          targets.size() == 1
              || (long) l.heldConnections() * targets.size() <= MAX_HELD_CONNECTIONS;
      Map<BenchTarget, Load.Held> held = new LinkedHashMap<>();
      try {
        rows.addAll(point(l, value, keep, held));
      } finally {
        held.values().forEach(Load.Held::close);
      }
    }
    return rows;
  }

  // The rows of one sweep point. Each target's rounds are opened into `held`; the caller closes
  // them.
  private List<Row> point(Load l, Long value, boolean keep, Map<BenchTarget, Load.Held> held)
      throws InterruptedException {
    Map<BenchTarget, List<Round>> done = new LinkedHashMap<>();
    Map<BenchTarget, Boolean> failed = new LinkedHashMap<>();
    for (BenchTarget t : targets) {
      done.put(t, new ArrayList<>());
      failed.put(t, false);
      // Without keeping, each round is a whole run: connect, measure, close.
      Load.Held rounds = keep ? l.hold(session, t) : budget -> l.run(session, t, budget);
      held.put(t, rounds);
      if (!plan.warmup().isZero()) {
        listener.roundStarts(t, value, true);
        Round warm = warmUp(rounds, keep, warmedUp ? plan.warmup() : plan.firstWarmup());
        warmedUp = true;
        // A server that already fails in the warm-up is not measured: its row says why.
        if (fails(warm)) {
          done.get(t).add(warm);
          failed.put(t, true);
        }
      }
    }
    for (int i = 0; i < plan.rounds(); i++) {
      for (BenchTarget t : targets) {
        if (failed.get(t)) {
          continue;
        }
        listener.roundStarts(t, value, false);
        Round r = measured(t, held.get(t));
        done.get(t).add(r);
        if (r.errors().hard() > 0) {
          failed.put(t, true);
        }
      }
    }
    List<Row> point = new ArrayList<>();
    for (BenchTarget t : targets) {
      point.add(Row.of(t, value, l, done.get(t), plan.maxLoss(), !plan.warmup().isZero()));
    }
    listener.pointDone(point);
    return point;
  }

  // The warm-up. With kept connections it is two rounds of half the time each: bench's own JIT
  // then meets a round's end and the next round's start (branches it compiled away while the first
  // half ran, and deoptimizes for when first taken) before anything is measured, not in the
  // measured round's first few hundred ms.
  private Round warmUp(Load.Held rounds, boolean keep, Duration length)
      throws InterruptedException {
    Duration half = length.dividedBy(2);
    if (!keep || half.compareTo(MIN_WARMUP_HALF) < 0) {
      return rounds.round(Budget.of(length));
    }
    Round first = rounds.round(Budget.of(half));
    return fails(first) ? first : rounds.round(Budget.of(length.minus(half)));
  }

  // A round that fails (a hard error, or loss beyond --max-loss: udp loses some by design).
  private boolean fails(Round r) {
    Errors e = r.errors();
    return e.hard() > 0 || e.lost.get() > plan.maxLoss() * Math.max(r.sent(), 1);
  }

  // One measured round, with bench's own CPU and the server's (if its PID is known) sampled.
  private Round measured(BenchTarget t, Load.Held held) throws InterruptedException {
    Long pid = serverPids.get(t);
    try (ServerSampler sampler = pid == null ? null : ServerSampler.start(pid)) {
      long[] cpu0 = session.loopCpuNanos();
      long t0 = System.nanoTime();
      Round r = held.round(plan.perRound());
      long wall = System.nanoTime() - t0;
      long[] cpu1 = session.loopCpuNanos();
      double busy = 0;
      for (int i = 0; i < cpu0.length; i++) {
        busy = Math.max(busy, (cpu1[i] - cpu0[i]) / (double) wall);
      }
      return r.with(sampler == null ? null : sampler.stop(), busy);
    }
  }

  private static List<Long> nullList() {
    List<Long> one = new ArrayList<>();
    one.add(null);
    return one;
  }
}
