package dev.socklab.bench;

import dev.socklab.common.NetErrors;
import dev.socklab.common.UserError;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Opens a round's connections to a stream server (TCP or AF_UNIX), a bounded number at a time, and
 * closes them at the end.
 */
final class Connections implements AutoCloseable {
  /**
   * Connects in flight at once: enough to open 10,000 connections in a second or two, few enough
   * not to overflow a default listen backlog (SOMAXCONN, 4096) with SYNs.
   */
  static final int CONNECTS_IN_FLIGHT = 256;

  /** Tries of one AF_UNIX connect that meets a full backlog (EAGAIN), 1 ms more apart each time. */
  static final int CONNECT_ATTEMPTS = 50;

  private final List<Channel> channels = new ArrayList<>();

  private Connections() {}

  /**
   * Opens {@code count} connections, each with its own handler. Failed connects are counted in
   * {@code errors}; if none at all succeeds, the server cannot be reached and this throws.
   *
   * @param session the event loops
   * @param target the server
   * @param count how many connections, 1 or more
   * @param noDelay TCP_NODELAY on each TCP connection (ignored for UNIX sockets)
   * @param handler the handler of connection {@code i}, 0 to count-1, made just before its
   *     connect(2) ({@link ConnsConnection} times the connect from then)
   * @param errors where failed connects are counted
   * @return the open connections, in order
   * @throws UserError if no connection could be made, with the reason
   * @throws InterruptedException if interrupted
   */
  static Connections open(
      Session session,
      BenchTarget target,
      int count,
      boolean noDelay,
      IntFunction<ChannelHandler> handler,
      Errors errors)
      throws InterruptedException {
    SocketAddress address = target.address(session.transport());
    Bootstrap boot =
        new Bootstrap()
            .group(session.group())
            .channel(
                target.isUnix()
                    ? session.transport().unixChannel()
                    : session.transport().tcpChannel())
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) session.timeout().toMillis() + 5000);
    if (!target.isUnix()) {
      // setsockopt(TCP_NODELAY): each message leaves at once (--no-nodelay lets Nagle hold it).
      boot.option(ChannelOption.TCP_NODELAY, noDelay);
    }
    Connections c = new Connections();
    Deque<Pending> inFlight = new ArrayDeque<>();
    Throwable firstFailure = null;
    for (int i = 0; i < count || !inFlight.isEmpty(); ) {
      if (i == count || inFlight.size() >= CONNECTS_IN_FLIGHT) {
        Pending p = inFlight.poll();
        p.future.await();
        if (p.future.isSuccess()) {
          c.channels.add(p.future.channel());
        } else if (NetErrors.is(p.future.cause(), NetErrors.Errno.EAGAIN)
            && p.attempt < CONNECT_ATTEMPTS) {
          // connect(2) on AF_UNIX: EAGAIN when the listener's backlog is full (man 7 unix), where
          // TCP would retransmit its SYN. Try again once the server has accepted some.
          Thread.sleep(p.attempt);
          inFlight.add(connect(boot, handler, p.id, address, p.attempt + 1));
        } else {
          errors.connectFailed.incrementAndGet();
          errors.note("connect: " + Errors.cause(p.future.cause()));
          firstFailure = firstFailure == null ? p.future.cause() : firstFailure;
        }
        continue;
      }
      inFlight.add(connect(boot, handler, i++, address, 1));
    }
    if (c.channels.isEmpty()) {
      throw new UserError(
          "cannot connect to "
              + target.where()
              + ": "
              + Errors.cause(firstFailure)
              + " (is the server running?)");
    }
    return c;
  }

  // connect(2), non-blocking, on one of bench's event loops.
  private static Pending connect(
      Bootstrap boot, IntFunction<ChannelHandler> handler, int id, SocketAddress to, int attempt) {
    return new Pending(id, attempt, boot.clone().handler(handler.apply(id)).connect(to));
  }

  private record Pending(int id, int attempt, ChannelFuture future) {}

  /**
   * @return the open connections
   */
  List<Channel> channels() {
    return channels;
  }

  /** Closes every connection (close(2)) and waits for the closes. */
  @Override
  public void close() {
    List<ChannelFuture> closes = new ArrayList<>();
    for (Channel ch : channels) {
      closes.add(ch.close());
    }
    closes.forEach(ChannelFuture::syncUninterruptibly);
  }
}
