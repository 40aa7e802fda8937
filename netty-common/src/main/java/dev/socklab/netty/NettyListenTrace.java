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

  /**
   * Serves a listening socket the service manager made ({@code LISTEN_FDS}: {@code man 3
   * sd_listen_fds}) instead of binding one: registers it with the bootstrap's event loop, which
   * starts accepting, and traces where it listens. No socket(2), bind(2) or listen(2) is made.
   *
   * @param bootstrap a configured server bootstrap with no channel class set
   * @param inherited the channel over the inherited descriptor ({@link
   *     Transport#inheritedServerChannel})
   * @param fd its descriptor, for the trace line
   * @param trace the server's tracer
   * @param unix whether it must be an AF_UNIX socket (else TCP)
   * @return the listening channel
   * @throws UserError if the descriptor is not a listening socket of the expected family
   */
  public static Channel adopt(
      ServerBootstrap bootstrap,
      io.netty.channel.ServerChannel inherited,
      int fd,
      Trace trace,
      boolean unix) {
    SocketAddress local =
        dev.socklab.common.Inherited.isListeningSocket(fd, unix)
            ? inheritedAddress(inherited, unix)
            : null;
    if (local == null) {
      throw new dev.socklab.common.UserError(
          "fd "
              + fd
              + " (LISTEN_FDS) is not a listening "
              + (unix ? "AF_UNIX" : "TCP")
              + " socket: check ListenStream= in the .socket unit");
    }
    ChannelFuture f = bootstrap.channelFactory(() -> inherited).register().syncUninterruptibly();
    trace.call("fd " + fd + " inherited (LISTEN_FDS): listening socket " + Endpoints.format(local));
    return f.channel();
  }

  /**
   * getsockname(2) of an inherited socket: a Netty channel knows its local address only once it
   * bound itself, which an adopted one never did.
   *
   * @param inherited a native (epoll) channel over an inherited descriptor
   * @param unix whether it is an AF_UNIX socket (else TCP); Netty parses the sockaddr as asked
   * @return the address
   */
  public static SocketAddress inheritedAddress(Channel inherited, boolean unix) {
    io.netty.channel.unix.Socket fd =
        (io.netty.channel.unix.Socket) ((io.netty.channel.unix.UnixChannel) inherited).fd();
    return unix ? fd.localDomainSocketAddress() : fd.localAddress();
  }
}
