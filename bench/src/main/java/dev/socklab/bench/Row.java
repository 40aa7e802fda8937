package dev.socklab.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One line of the results: one target at one sweep point, its rounds combined. Throughput is the
 * median of the rounds (a noisy machine moves single rounds, not the median); latency merges every
 * round's samples; errors add up.
 *
 * @param target the server
 * @param sweepValue the value of the swept parameter at this point, or null without {@code --sweep}
 * @param load the workload, as {@link Load#describe()} says it
 * @param unit the unit of throughput, e.g. {@code round trips/s}
 * @param rounds the measured rounds, in the order they ran
 * @param latency every round's latency samples, in ns
 * @param errors every round's errors
 * @param failure why the row is not a result (errors, loss beyond the limit), or null if it is
 * @param warnings why the result may not be trusted, in sentences; empty if none
 */
record Row(
    BenchTarget target,
    Long sweepValue,
    String load,
    String unit,
    List<Round> rounds,
    Histogram latency,
    Errors errors,
    String failure,
    List<String> warnings) {

  /**
   * @return the median throughput of the rounds, in operations per second
   */
  double throughput() {
    double[] t = rounds.stream().mapToDouble(Round::throughput).sorted().toArray();
    if (t.length == 0) {
      return 0;
    }
    return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
  }

  /**
   * @return (max - min) / median of the rounds' throughputs; 0 with fewer than two rounds
   */
  double spread() {
    double[] t = rounds.stream().mapToDouble(Round::throughput).toArray();
    double median = throughput();
    if (t.length < 2 || median == 0) {
      return 0;
    }
    return (Arrays.stream(t).max().orElse(0) - Arrays.stream(t).min().orElse(0)) / median;
  }

  /**
   * @param percentile 0-100
   * @return the latency at that percentile, in ns
   */
  long percentile(double percentile) {
    return latency.getValueAtPercentile(percentile);
  }

  /**
   * @return the server's largest RSS over the rounds in bytes, or -1 without {@code --server-pid}
   */
  long serverRss() {
    return rounds.stream()
        .filter(r -> r.server() != null)
        .mapToLong(r -> r.server().maxRssBytes())
        .max()
        .orElse(-1);
  }

  /**
   * @return the server's median CPU share over the rounds (1.0 = one core), or -1 without {@code
   *     --server-pid}
   */
  double serverCpu() {
    double[] c =
        rounds.stream()
            .filter(r -> r.server() != null)
            .mapToDouble(r -> r.server().cpuShare())
            .sorted()
            .toArray();
    return c.length == 0 ? -1 : c[c.length / 2];
  }

  /**
   * @return the server's most threads seen, or -1 without {@code --server-pid}
   */
  int serverThreads() {
    return rounds.stream()
        .filter(r -> r.server() != null)
        .mapToInt(r -> r.server().maxThreads())
        .max()
        .orElse(-1);
  }

  /**
   * @return whether this row is a result (no failure)
   */
  boolean ok() {
    return failure == null;
  }

  /**
   * Combines a target's rounds into a row, deciding whether it failed and what to warn about.
   *
   * @param target the server
   * @param sweepValue the sweep point, or null
   * @param load the workload
   * @param rounds the measured rounds (may be fewer than asked if it failed early)
   * @param maxLoss the fraction of messages that may be lost, 0-1
   * @param warmedUp whether a warm-up round ran before the measured rounds
   * @return the row
   */
  static Row of(
      BenchTarget target,
      Long sweepValue,
      Load load,
      List<Round> rounds,
      double maxLoss,
      boolean warmedUp) {
    Histogram all = RoundState.newHistogram();
    Errors errors = new Errors();
    long sent = 0;
    for (Round r : rounds) {
      all.add(r.latency());
      errors.add(r.errors());
      sent += r.sent();
    }
    String failure = null;
    long lost = errors.lost.get();
    if (errors.hard() > 0 || (lost > 0 && lost > maxLoss * Math.max(sent, 1))) {
      failure =
          errors.describe()
              + (lost > 0 && errors.hard() == 0 && sent > 0
                  ? String.format(
                      " of %d sent (%.2f%%, more than --max-loss %.2f%%)",
                      sent, 100.0 * lost / Math.max(sent, 1), 100 * maxLoss)
                  : "")
              + (errors.firstDetail() != null ? "; first: " + errors.firstDetail() : "");
    }
    Row row =
        new Row(
            target,
            sweepValue,
            load.describe(),
            load.unit(),
            List.copyOf(rounds),
            all,
            errors,
            failure,
            new ArrayList<>());
    row.warn(warmedUp, load.runsForItsBudget());
    return row;
  }

  // The reasons not to trust the numbers, in the words the table prints.
  private void warn(boolean warmedUp, boolean timedRounds) {
    double busy = rounds.stream().mapToDouble(Round::clientBusy).max().orElse(0);
    if (busy >= 0.9) {
      warnings.add(
          String.format(
              "bench's own event loop was busy %.0f%% of the time: the client may be the"
                  + " bottleneck (try --threads 2, or a second machine's worth of cores)",
              100 * busy));
    }
    if (spread() > 0.25) {
      warnings.add(
          String.format(
              "rounds differ by %.0f%% of the median: the machine is noisy; give more --rounds or"
                  + " a longer --duration",
              100 * spread()));
    }
    long sent = rounds.stream().mapToLong(Round::sent).sum();
    if (ok() && errors.lost.get() > 0) {
      warnings.add(
          String.format(
              "%d of %d sent were lost (%.2f%%), within --max-loss",
              errors.lost.get(), sent, 100.0 * errors.lost.get() / Math.max(sent, 1)));
    }
    if (errors.late.get() > 0) {
      warnings.add(
          String.format(
              "%d replies came after --timeout, to messages already counted as lost: the server"
                  + " may be slow rather than lossy (give a longer --timeout)",
              errors.late.get()));
    }
    long shortest = rounds.stream().mapToLong(Round::measuredNanos).min().orElse(0);
    if (timedRounds && !rounds.isEmpty() && shortest < 1_000_000_000L) {
      warnings.add(
          String.format(
              "rounds of %d ms are too short to trust: give --duration at least 1 s per round",
              shortest / 1_000_000));
    }
    if (rounds.size() >= 3) {
      double first = rounds.get(0).throughput();
      double rest =
          rounds.subList(1, rounds.size()).stream()
              .mapToDouble(Round::throughput)
              .average()
              .orElse(0);
      if (rest > 0 && first < 0.8 * rest) {
        warnings.add(
            String.format(
                "throughput was still rising after the warm-up (the first round was %.0f%% below"
                    + " the rest): %s",
                100 * (1 - first / rest), warmedUp ? "give a longer --warmup" : "give a --warmup"));
      }
    }
  }
}
