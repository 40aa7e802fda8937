package dev.socklab.bench;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The clock, counters and histograms of one round, shared by its connections. Each event loop
 * records into its own histogram (no lock on the hot path); they are merged when the round ends.
 */
final class RoundState {
  /** When the measured time starts, in {@link System#nanoTime()} ns. */
  final long start;

  /** When the measured time ends (no new message is sent after it), or {@link Long#MAX_VALUE}. */
  final long deadline;

  /** Operations completed within the measured time. */
  final LongAdder completed = new LongAdder();

  /** Messages sent within the measured time. */
  final LongAdder sent = new LongAdder();

  /** What went wrong. */
  final Errors errors = new Errors();

  /** The largest latency recorded, in ns (longer ones count as this): 10 minutes. */
  static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final Map<EventExecutor, Histogram> histograms; // one per loop, made up front
  private final AtomicLong lastCompletion = new AtomicLong();
  private final CountDownLatch finished;
  private final LongAdder progress;

  /**
   * @param start when the measured time starts (ns)
   * @param budget the round's budget: its duration sets the deadline
   * @param parties how many connections (or members) must finish
   * @param session the run: its event loops (each records into its own histogram) and the progress
   *     bar's counter
   */
  RoundState(long start, Budget budget, int parties, Session session) {
    this.start = start;
    this.deadline = budget.timed() ? start + budget.duration().toNanos() : Long.MAX_VALUE;
    this.finished = new CountDownLatch(parties);
    this.progress = session.progress();
    // Made here, not on first use: a lookup that creates on the hot path is a branch the JIT
    // compiled away during the warm-up, and taking it at a round's start deoptimizes the reply
    // path.
    Map<EventExecutor, Histogram> each = new HashMap<>();
    for (EventExecutor loop : session.group()) {
      each.put(loop, newHistogram());
    }
    this.histograms = Map.copyOf(each);
  }

  /**
   * A histogram of 1 ns to {@link #MAX_LATENCY_NANOS} at 3 significant digits, sized up front: an
   * auto-resizing one copies its counts when a slower sample arrives, on the hot path.
   *
   * @return an empty histogram
   */
  static Histogram newHistogram() {
    return new Histogram(MAX_LATENCY_NANOS, 3);
  }

  /**
   * Records one verified operation. Call on an event loop.
   *
   * @param loop the calling loop
   * @param now the time it completed (ns)
   * @param latencyNanos its latency in ns
   */
  void complete(EventLoop loop, long now, long latencyNanos) {
    histograms.get(loop).recordValue(Math.min(Math.max(0, latencyNanos), MAX_LATENCY_NANOS));
    if (now <= deadline) {
      completed.increment();
      progress.increment();
      if (deadline == Long.MAX_VALUE) {
        lastCompletion.accumulateAndGet(now, Math::max); // a counted round ends at its last reply
      }
    }
  }

  /**
   * @param now the current time (ns)
   * @return true once the measured time is over
   */
  boolean over(long now) {
    return now >= deadline;
  }

  /** One connection (or member) is done: its outstanding messages answered or given up. */
  void finish() {
    finished.countDown();
  }

  /**
   * Waits for every connection to finish.
   *
   * @param timeoutNanos the longest wait
   * @return true if all finished in time
   * @throws InterruptedException if interrupted
   */
  boolean await(long timeoutNanos) throws InterruptedException {
    return finished.await(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The round's result; call after {@link #await}.
   *
   * @return operations, measured time, merged latency and errors
   */
  Round result() {
    Histogram all = newHistogram();
    histograms.values().forEach(all::add);
    long measured =
        deadline == Long.MAX_VALUE ? Math.max(0, lastCompletion.get() - start) : deadline - start;
    return new Round(completed.sum(), sent.sum(), measured, all, errors, 0, null);
  }
}
