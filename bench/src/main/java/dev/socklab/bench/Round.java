package dev.socklab.bench;

import org.HdrHistogram.Histogram;

/**
 * The outcome of one measured round of one target.
 *
 * @param operations verified operations completed within the measured time: round trips (echo,
 *     udp), deliveries (chat) or connections (conns)
 * @param sent messages sent in the measured time (the denominator of loss)
 * @param measuredNanos the measured time in ns
 * @param latency latency of every verified operation in ns (open loop: from its intended send time)
 * @param errors what went wrong
 * @param clientBusy the busiest of bench's own event-loop threads: CPU time / wall time, 0-1
 * @param server the server's memory and CPU during the round, or null without {@code --server-pid}
 */
record Round(
    long operations,
    long sent,
    long measuredNanos,
    Histogram latency,
    Errors errors,
    double clientBusy,
    ServerUsage server) {

  /**
   * @return operations per second
   */
  double throughput() {
    return measuredNanos == 0 ? 0 : operations * 1e9 / measuredNanos;
  }

  /**
   * @param usage the server's usage sampled during this round
   * @param busy the busiest loop's CPU share
   * @return this round with them
   */
  Round with(ServerUsage usage, double busy) {
    return new Round(operations, sent, measuredNanos, latency, errors, busy, usage);
  }
}
