package dev.socklab.bench;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * When a sender's messages are due: all at once in a closed loop (the replies set the pace), or one
 * every {@code interval} ns from {@code firstDue} in an open loop, where a message is timed from
 * when it was due, not from when it could be sent (wrk2's answer to coordinated omission). Used by
 * {@link EchoConnection}, {@link ChatMember} and {@link UdpFlow} on their event loop; not
 * thread-safe. A sender that keeps its connection for several rounds numbers its messages on across
 * them: the pace of a round starts at its first message, {@code firstSeq}.
 */
final class Pace {
  private final long interval;
  private final long firstDue;
  private final long firstSeq;
  private final EventLoop loop;
  private final Runnable wake;
  private boolean armed; // a wake-up is scheduled

  /**
   * @param intervalNanos ns between messages; 0 for a closed loop
   * @param firstDue when message {@code firstSeq} is due (ns)
   * @param firstSeq the number of this round's first message, 0 or more
   * @param loop the sender's event loop
   * @param wake what to run when a message falls due: the sender's send loop
   */
  Pace(long intervalNanos, long firstDue, long firstSeq, EventLoop loop, Runnable wake) {
    this.interval = intervalNanos;
    this.firstDue = firstDue;
    this.firstSeq = firstSeq;
    this.loop = loop;
    this.wake = wake;
  }

  /** Wakes the sender when message {@code firstSeq} is due, in either loop. */
  void start() {
    armed = true;
    schedule(firstDue - System.nanoTime());
  }

  /**
   * @param now the time (ns)
   * @return the number one past the last message due by {@code now}: unbounded in a closed loop
   */
  long dueBy(long now) {
    return interval == 0 ? Long.MAX_VALUE : firstSeq + (now - firstDue) / interval + 1;
  }

  /**
   * @param seq a message's number
   * @param sent when it was actually sent (ns)
   * @return when its latency counts from (ns): its due time in an open loop, else {@code sent}
   */
  long from(long seq, long sent) {
    return interval == 0 ? sent : firstDue + (seq - firstSeq) * interval;
  }

  /**
   * Open loop: wakes the sender when message {@code next} is due, unless a wake-up is already
   * scheduled. If the in-flight cap holds a message back, the sender's reply path sends it instead,
   * and it is still timed from when it was due.
   *
   * @param next the next message's number
   * @param now the time (ns)
   */
  void wakeFor(long next, long now) {
    if (interval > 0 && !armed) {
      armed = true;
      schedule(firstDue + (next - firstSeq) * interval - now);
    }
  }

  private void schedule(long delayNanos) {
    loop.schedule(
        () -> {
          armed = false;
          wake.run();
        },
        Math.max(0, delayNanos),
        TimeUnit.NANOSECONDS);
  }
}
