package dev.socklab.bench;

import java.time.Duration;

/**
 * How long one round lasts: a time, or a number of operations.
 *
 * @param duration the measured time, or null when {@code count} bounds the round
 * @param count operations in the round (spread over its connections), or 0 when {@code duration}
 *     bounds it
 */
record Budget(Duration duration, long count) {
  /**
   * @param d the measured time
   * @return a budget of that time
   */
  static Budget of(Duration d) {
    return new Budget(d, 0);
  }

  /**
   * @param n operations
   * @return a budget of {@code n} operations
   */
  static Budget count(long n) {
    return new Budget(null, n);
  }

  /**
   * @return true when bounded by time
   */
  boolean timed() {
    return duration != null;
  }

  /**
   * This budget's share for one of {@code parts} connections or rounds, at least 1 operation.
   *
   * @param parts how many share it, 1 or more
   * @return the share
   */
  Budget share(int parts) {
    return timed() ? this : count(Math.max(1, count / parts));
  }

  @Override
  public String toString() {
    return timed() ? dev.socklab.common.Durations.format(duration) : count + " operations";
  }
}
