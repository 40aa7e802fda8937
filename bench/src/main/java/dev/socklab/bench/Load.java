package dev.socklab.bench;

import java.time.Duration;

/**
 * One workload a mode puts on a server (echo round trips, chat deliveries, UDP datagrams, held
 * connections), run one round at a time by {@link Runner}.
 */
interface Load {
  /**
   * @return the unit of throughput, e.g. {@code round trips/s}
   */
  String unit();

  /**
   * @return the parameters in a few words for the table's heading, e.g. {@code conns=50 size=64
   *     closed loop}
   */
  String describe();

  /**
   * @return the messages that may be lost before a run fails, in percent, unless {@code --max-loss}
   *     says: 0 for a stream (TCP never loses a byte it accepted)
   */
  default double defaultMaxLossPercent() {
    return 0;
  }

  /**
   * @return the longest wait for a reply before it counts as lost, unless {@code --timeout} says: 5
   *     s for a stream, where a late reply means a stuck server
   */
  default Duration defaultTimeout() {
    return RunOptions.DEFAULT_TIMEOUT;
  }

  /**
   * @return true if a round lasts its budget ({@code --duration}, {@code --count}), so a short
   *     round is a reason to doubt it; false for a load whose rounds last as long as their work
   *     takes (conns: open, echo once, hold)
   */
  default boolean runsForItsBudget() {
    return true;
  }

  /**
   * This load with one parameter changed: a point of {@code --sweep}.
   *
   * @param parameter the name, e.g. {@code conns}
   * @param value its value at this point
   * @return the changed load
   * @throws dev.socklab.common.UsageError if this mode has no such parameter, or the value is out
   *     of range
   */
  Load with(String parameter, long value);

  /**
   * Runs one round against {@code target}: connects, sends and verifies for the budget, closes.
   *
   * @param session the event loops and settings shared by every round
   * @param target the server
   * @param budget how long the round lasts
   * @return what was measured; errors are counted in it, not thrown
   * @throws InterruptedException if the run is interrupted
   * @throws dev.socklab.common.UserError if the server cannot be reached at all
   */
  Round run(Session session, BenchTarget target, Budget budget) throws InterruptedException;

  /**
   * Opens what the rounds of one target can share, for {@link Runner} to run them on (echo: its
   * connections, kept from the warm-up through the last measured round). By default nothing is
   * shared: each round is {@link #run}, connecting anew.
   *
   * @param session the event loops and settings shared by every round
   * @param target the server
   * @return the rounds' runner; close it after the last round
   * @throws InterruptedException if interrupted
   * @throws dev.socklab.common.UserError if the server cannot be reached at all
   */
  default Held hold(Session session, BenchTarget target) throws InterruptedException {
    return budget -> run(session, target, budget);
  }

  /**
   * @return the connections {@link #hold} keeps open for one target between rounds; 0 if it keeps
   *     none
   */
  default int heldConnections() {
    return 0;
  }

  /** Rounds against one target that share what {@link #hold} opened. */
  interface Held extends AutoCloseable {
    /**
     * Runs one round.
     *
     * @param budget how long the round lasts
     * @return what was measured; errors are counted in it, not thrown
     * @throws InterruptedException if interrupted
     */
    Round round(Budget budget) throws InterruptedException;

    /** Closes what {@link #hold} opened. */
    @Override
    default void close() {}
  }
}
