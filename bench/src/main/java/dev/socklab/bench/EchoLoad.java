package dev.socklab.bench;

import dev.socklab.common.UsageError;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench echo}: round trips through a stream echo server (RFC 862), over TCP or a UNIX
 * socket. Each connection sends messages made by {@link Payload} and verifies every byte that comes
 * back.
 *
 * <p>Closed loop (no {@code rate}): each connection keeps {@code pipeline} messages in flight and
 * sends the next when a reply completes, so the server sets the pace and latency is measured from
 * the actual send. Open loop ({@code rate} > 0): messages are due at fixed times, {@code rate} per
 * second over all connections, whatever the server does, and latency is measured from the time a
 * message was due (wrk2's answer to coordinated omission): a server that stalls for 200 ms shows
 * 200 ms in the percentiles instead of one slow sample.
 *
 * @param conns connections, 1 or more
 * @param size message size in bytes, {@value Payload#MIN_SIZE} to 16 MiB
 * @param pipeline messages in flight per connection, 1 or more; 0 means 1 in a closed loop and
 *     {@value #OPEN_LOOP_IN_FLIGHT} in an open loop
 * @param rate messages per second over all connections; 0 for a closed loop
 * @param splitWrites write each message in this many pieces, each its own write(2), 1 or more
 * @param noDelay TCP_NODELAY on bench's sockets
 */
record EchoLoad(int conns, int size, int pipeline, long rate, int splitWrites, boolean noDelay)
    implements Load {

  /** Messages in flight per connection in an open loop, unless {@code --pipeline} says. */
  static final int OPEN_LOOP_IN_FLIGHT = 1024;

  /** Largest message, in bytes. */
  static final int MAX_SIZE = 16 << 20;

  /**
   * @throws UsageError if a value is out of range
   */
  EchoLoad {
    check("conns", conns, 1, 1_000_000);
    check("size", size, Payload.MIN_SIZE, MAX_SIZE);
    check("pipeline", pipeline, 0, 1 << 20);
    check("rate", rate, 0, 100_000_000);
    check("split-writes", splitWrites, 1, size);
  }

  /**
   * @param name the option's name
   * @param value its value
   * @param min the smallest allowed
   * @param max the largest allowed
   * @throws UsageError if {@code value} is outside {@code [min, max]}
   */
  static void check(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new UsageError(name + " must be " + min + " to " + max + ", not " + value);
    }
  }

  @Override
  public String unit() {
    return "round trips/s";
  }

  @Override
  public String describe() {
    String model =
        rate == 0
            ? "closed loop" + (inFlight() > 1 ? ", pipeline " + inFlight() : "")
            : "open loop at " + rate + "/s";
    return "conns="
        + conns
        + " size="
        + size
        + " "
        + model
        + (splitWrites > 1 ? ", " + splitWrites + " writes a message" : "")
        + (noDelay ? "" : ", Nagle on");
  }

  @Override
  public Load with(String parameter, long value) {
    return switch (parameter) {
      case "conns" -> new EchoLoad((int) value, size, pipeline, rate, splitWrites, noDelay);
      case "size" -> new EchoLoad(conns, (int) value, pipeline, rate, splitWrites, noDelay);
      case "pipeline" -> new EchoLoad(conns, size, (int) value, rate, splitWrites, noDelay);
      case "rate" -> new EchoLoad(conns, size, pipeline, value, splitWrites, noDelay);
      default ->
          throw new UsageError(
              "bench echo cannot sweep '" + parameter + "': conns, size, pipeline or rate");
    };
  }

  /**
   * @return messages in flight per connection, 1 or more
   */
  int inFlight() {
    return pipeline > 0 ? pipeline : rate == 0 ? 1 : OPEN_LOOP_IN_FLIGHT;
  }

  @Override
  public Round run(Session session, BenchTarget target, Budget budget) throws InterruptedException {
    try (Held held = hold(session, target)) {
      return held.round(budget);
    }
  }

  @Override
  public int heldConnections() {
    return conns;
  }

  @Override
  public Held hold(Session session, BenchTarget target) throws InterruptedException {
    Errors connectErrors = new Errors();
    Connections c =
        Connections.open(
            session,
            target,
            conns,
            noDelay,
            i -> new EchoConnection(this, i, session.timeout().toNanos()),
            connectErrors);
    return new Open(session, c, connectErrors);
  }

  /** A target's connections, open for all its rounds; each round goes on where the last ended. */
  private final class Open implements Held {
    private final Session session;
    private final Connections connections;
    private final List<EchoConnection> handlers = new ArrayList<>(); // of each channel, in order
    private Errors connectErrors; // reported by the first round, then null

    Open(Session session, Connections connections, Errors connectErrors) {
      this.session = session;
      this.connections = connections;
      this.connectErrors = connectErrors;
      // Looked up now: Netty empties the pipeline of a channel that closes.
      for (Channel ch : connections.channels()) {
        handlers.add(ch.pipeline().get(EchoConnection.class));
      }
    }

    @Override
    public Round round(Budget budget) throws InterruptedException {
      List<Channel> channels = connections.channels();
      // Start a little later than now, so that every connection's first message is due together.
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      RoundState round = new RoundState(start, budget, channels.size(), session);
      if (connectErrors != null) {
        round.errors.add(connectErrors);
        connectErrors = null;
      }
      Budget each = budget.share(channels.size());
      long interval = rate == 0 ? 0 : Math.max(1, (long) (conns * 1e9 / rate));
      for (int i = 0; i < channels.size(); i++) {
        Channel ch = channels.get(i);
        EchoConnection h = handlers.get(i);
        // Stagger the open loop's connections across one interval, so their sends do not bunch.
        long offset = interval == 0 ? 0 : interval * h.id() / conns;
        ch.eventLoop().execute(() -> h.begin(ch, round, each.count(), interval, start + offset));
      }
      long wait =
          (budget.timed() ? budget.duration().toNanos() : 0)
              + 2 * session.timeout().toNanos()
              + TimeUnit.SECONDS.toNanos(budget.timed() ? 5 : 600);
      if (!round.await(wait)) {
        for (int i = 0; i < channels.size(); i++) {
          EchoConnection h = handlers.get(i);
          channels.get(i).eventLoop().execute(() -> h.giveUp("the round took too long"));
        }
        round.await(TimeUnit.SECONDS.toNanos(5));
      }
      return round.result();
    }

    @Override
    public void close() {
      connections.close();
    }
  }
}
