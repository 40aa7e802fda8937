package dev.socklab.bench;

import dev.socklab.common.Durations;
import dev.socklab.common.UsageError;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bench conns}: how many connections a stream echo server (RFC 862, TCP or a UNIX socket)
 * takes, how fast, and whether it keeps them. Each round opens {@code conns} connections ({@link
 * Connections}, a bounded number of connect(2)s at a time), echoes one {@link Payload} message on
 * each ({@link ConnsConnection}), holds them all open for {@code hold} while watching for any the
 * server closes, then closes them.
 *
 * <p>Latency is per connection, from its connect(2) to its verified echo: the handshake, the
 * server's accept(2) (a full backlog shows here) and one round trip. Throughput is connections
 * established and verified per second, from the first connect to the last echo; the hold is not
 * measured. {@code --duration} and {@code --count} do not apply: a round is {@code conns}
 * connections.
 *
 * @param conns connections, 1 to 1,000,000 (each is a descriptor: mind {@code ulimit -n})
 * @param size message size in bytes, {@value Payload#MIN_SIZE} to {@value #MAX_SIZE}
 * @param hold how long to hold every connection open after the echoes, 0 to 1 hour
 * @param noDelay TCP_NODELAY on bench's sockets
 */
record ConnsLoad(int conns, int size, Duration hold, boolean noDelay) implements Load {
  /** Largest message, in bytes. */
  static final int MAX_SIZE = 1 << 20;

  /**
   * @throws UsageError if a value is out of range
   */
  ConnsLoad {
    EchoLoad.check("conns", conns, 1, 1_000_000);
    EchoLoad.check("size", size, Payload.MIN_SIZE, MAX_SIZE);
    EchoLoad.check("hold (ms)", hold.toMillis(), 0, TimeUnit.HOURS.toMillis(1));
  }

  @Override
  public boolean runsForItsBudget() {
    return false;
  }

  @Override
  public String unit() {
    return "connections/s";
  }

  @Override
  public String describe() {
    return "conns=" + conns + " size=" + size + " hold " + Durations.format(hold);
  }

  @Override
  public Load with(String parameter, long value) {
    if (!parameter.equals("conns")) {
      throw new UsageError("bench conns cannot sweep '" + parameter + "': conns");
    }
    return new ConnsLoad((int) value, size, hold, noDelay);
  }

  @Override
  public Round run(Session session, BenchTarget target, Budget budget) throws InterruptedException {
    long start = System.nanoTime();
    // A count budget: no deadline, so every echo counts and the time ends with the last one.
    RoundState round = new RoundState(start, Budget.count(conns), conns, session);
    AtomicBoolean closing = new AtomicBoolean();
    Errors connectErrors = new Errors();
    try (Connections c =
        Connections.open(
            session,
            target,
            conns,
            noDelay,
            i -> new ConnsConnection(this, i, round, closing),
            connectErrors)) {
      round.errors.add(connectErrors);
      List<Channel> channels = c.channels();
      for (int i = channels.size(); i < conns; i++) {
        round.finish(); // a connect that failed has no echo to wait for
      }
      if (!round.await(session.timeout().toNanos())) {
        for (Channel ch : channels) {
          ConnsConnection h = ch.pipeline().get(ConnsConnection.class);
          if (h != null) {
            ch.eventLoop().execute(() -> h.giveUp(session.timeout()));
          }
        }
        round.await(TimeUnit.SECONDS.toNanos(5));
      }
      // Hold: a server that closes connections now (an idle timeout, a client limit enforced
      // late, a crash) shows as connections closed by the server.
      Thread.sleep(hold.toMillis());
      closing.set(true);
    }
    return round.result();
  }
}
