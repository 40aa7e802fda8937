package dev.socklab.netty;

import dev.socklab.common.Endpoints;
import dev.socklab.common.Trace;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.SocketAddress;
import java.util.List;

/**
 * {@code --trace} of a Netty listener's start. Netty makes socket(2) when it creates the channel,
 * setsockopt(2) as it applies the bootstrap's options, then bind(2) and listen(2) in one {@code
 * bind()}, all on its event loop. {@link #bind} waits for that and traces the four calls, in the
 * order Netty made them, on the caller's thread, so they come before whatever the caller does next
 * (a chmod of the socket file, say), or the failed bind with its errno.
 */
public final class NettyListenTrace {
  private NettyListenTrace() {}

  /**
   * Binds {@code bootstrap} to {@code address}, waits, and traces what was made.
   *
   * @param bootstrap a configured server bootstrap
   * @param address where to listen
   * @param trace the server's tracer
   * @param family {@code AF_INET6}, {@code AF_INET} or {@code AF_UNIX}
   * @param options the options the bootstrap sets on the listener, as traced, e.g. {@code
   *     "SO_REUSEADDR, 1"}
   * @param shownAddress how to show the bound address (e.g. {@code @name} for an abstract socket),
   *     or null to format the address actually bound
   * @param backlog the listen(2) backlog the bootstrap asks for
   * @return the listening channel
   * @throws RuntimeException what the bind failed with (Netty rethrows the JDK's or the native
   *     transport's exception; it may be a checked {@link java.io.IOException} thrown sneakily)
   */
  public static Channel bind(
      ServerBootstrap bootstrap,
      SocketAddress address,
      Trace trace,
      String family,
      List<String> options,
      String shownAddress,
      int backlog) {
    ChannelFuture f = bootstrap.bind(address).awaitUninterruptibly();
    trace.call("socket(" + family + ", SOCK_STREAM)");
    options.forEach(o -> trace.call("setsockopt(" + o + ")"));
    String shown = shownAddress != null ? shownAddress : Endpoints.format(address);
    if (!f.isSuccess()) {
      trace.failed("bind(" + shown + ")", f.cause());
      return f.syncUninterruptibly().channel(); // rethrows the cause
    }
    if (shownAddress == null) {
      shown = Endpoints.format(f.channel().localAddress());
    }
    trace.call("bind(" + shown + ")");
    trace.call("listen(backlog=" + backlog + ")");
    return f.channel();
  }
}
