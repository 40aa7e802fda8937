package dev.socklab.bench;

import dev.socklab.common.UsageError;
import dev.socklab.common.UserError;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench udp}: datagrams through a UDP echo server (RFC 862 over UDP: each datagram comes
 * back to its sender, unchanged, or not at all). One socket, connect(2)ed to the server; each
 * datagram is a {@link Payload} message, verified by {@link UdpFlow}.
 *
 * <p>UDP may lose datagrams ({@code man 7 udp}: no retransmission, a full socket buffer drops), so
 * a datagram not answered within {@code --timeout} (default {@value #DEFAULT_TIMEOUT_MS} ms here)
 * counts as lost and its place in the window goes to the next; the run fails only if more than
 * {@code --max-loss} (default {@value #DEFAULT_MAX_LOSS_PERCENT}%) is lost. Closed loop (no {@code
 * rate}): {@code window} datagrams outstanding. Open loop: {@code rate} datagrams per second, timed
 * from when each was due; the window then caps what is outstanding.
 *
 * @param window datagrams outstanding, 1 to 65536
 * @param size datagram size in bytes, {@value Payload#MIN_SIZE} to {@value #MAX_SIZE}
 * @param rate datagrams per second; 0 for a closed loop
 */
record UdpLoad(int window, int size, long rate) implements Load {
  /** Largest datagram: 65,535 - 20 bytes of IPv4 header - 8 of UDP header ({@code man 7 udp}). */
  static final int MAX_SIZE = 65507;

  /** The loss a run tolerates unless {@code --max-loss} says, in percent. */
  static final double DEFAULT_MAX_LOSS_PERCENT = 1;

  /** The wait for a reply unless {@code --timeout} says, in ms: a datagram is lost, not slow. */
  static final int DEFAULT_TIMEOUT_MS = 500;

  /** Smallest receive buffer asked for, bytes: Linux's default (net.core.rmem_default). */
  private static final int MIN_RCVBUF = 212992;

  /** Largest receive buffer asked for, bytes (the kernel caps it at net.core.rmem_max anyway). */
  private static final int MAX_RCVBUF = 8 << 20;

  /**
   * @throws UsageError if a value is out of range
   */
  UdpLoad {
    EchoLoad.check("window", window, 1, 1 << 16);
    EchoLoad.check("size", size, Payload.MIN_SIZE, MAX_SIZE);
    EchoLoad.check("rate", rate, 0, 100_000_000);
  }

  @Override
  public String unit() {
    return "round trips/s";
  }

  @Override
  public String describe() {
    return "window="
        + window
        + " size="
        + size
        + " "
        + (rate == 0 ? "closed loop" : "open loop at " + rate + "/s");
  }

  @Override
  public double defaultMaxLossPercent() {
    return DEFAULT_MAX_LOSS_PERCENT;
  }

  @Override
  public Duration defaultTimeout() {
    return Duration.ofMillis(DEFAULT_TIMEOUT_MS);
  }

  @Override
  public Load with(String parameter, long value) {
    return switch (parameter) {
      case "window" -> new UdpLoad((int) value, size, rate);
      case "size" -> new UdpLoad(window, (int) value, rate);
      case "rate" -> new UdpLoad(window, size, value);
      default ->
          throw new UsageError("bench udp cannot sweep '" + parameter + "': window, size or rate");
    };
  }

  @Override
  public Round run(Session session, BenchTarget target, Budget budget) throws InterruptedException {
    long timeout = session.timeout().toNanos();
    UdpFlow flow = new UdpFlow(this, timeout);
    Bootstrap boot =
        new Bootstrap()
            .group(session.group())
            .channel(session.transport().datagramChannel())
            // One buffer per datagram, a byte larger than ours: a longer reply shows as longer.
            .option(
                ChannelOption.RCVBUF_ALLOCATOR,
                new FixedRecvByteBufAllocator(Math.max(size + 1, 64)))
            // setsockopt(SO_RCVBUF): room for a window of replies, or the kernel drops them. Each
            // takes its skb's size (about 1 KiB more than the datagram on loopback), so never less
            // than Linux's own default; the kernel caps it at net.core.rmem_max.
            .option(
                ChannelOption.SO_RCVBUF,
                (int) Math.min(MAX_RCVBUF, Math.max(MIN_RCVBUF, 2L * window * (size + 1024))))
            .handler(flow);
    // socket(2) + connect(2): the kernel picks our port and passes us only the server's replies.
    ChannelFuture f = boot.connect(target.address(session.transport())).await();
    if (!f.isSuccess()) {
      throw new UserError("cannot use " + target.where() + ": " + Errors.cause(f.cause()));
    }
    Channel ch = f.channel();
    try {
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      RoundState round = new RoundState(start, budget, 1, session);
      long interval = rate == 0 ? 0 : Math.max(1, (long) (1e9 / rate));
      ch.eventLoop().execute(() -> flow.begin(ch, round, budget.count(), interval, start));
      // Every datagram is answered or lost within --timeout of the last send.
      long wait =
          (budget.timed() ? budget.duration().toNanos() : TimeUnit.SECONDS.toNanos(600))
              + 2 * timeout
              + TimeUnit.SECONDS.toNanos(5);
      if (!round.await(wait)) {
        ch.eventLoop().execute(() -> flow.giveUp("the round took too long"));
        round.await(TimeUnit.SECONDS.toNanos(5));
      }
      return round.result();
    } finally {
      ch.close().syncUninterruptibly();
    }
  }
}
