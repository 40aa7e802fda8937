package dev.socklab.bench;

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
    Deque<ChannelFuture> inFlight = new ArrayDeque<>();
    Throwable firstFailure = null;
    for (int i = 0; i < count; i++) {
      if (inFlight.size() >= CONNECTS_IN_FLIGHT) {
        firstFailure = settle(inFlight.poll(), c, errors, firstFailure);
      }
      final int id = i;
      // connect(2), non-blocking, on one of bench's event loops.
      inFlight.add(boot.clone().handler(handler.apply(id)).connect(address));
    }
    while (!inFlight.isEmpty()) {
      firstFailure = settle(inFlight.poll(), c, errors, firstFailure);
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

  private static Throwable settle(
      ChannelFuture f, Connections c, Errors errors, Throwable firstFailure)
      throws InterruptedException {
    f.await();
    if (f.isSuccess()) {
      c.channels.add(f.channel());
      return firstFailure;
    }
    errors.connectFailed.incrementAndGet();
    errors.note("connect: " + Errors.cause(f.cause()));
    return firstFailure == null ? f.cause() : firstFailure;
  }

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
