package dev.socklab.common;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code --transport auto|epoll|nio}: which I/O mechanism a Netty event loop uses.
 *
 * <p>{@code epoll} is Netty's native Linux transport: epoll_wait(2) on the loop's own epoll set,
 * edge-triggered, with Linux-only socket options. {@code nio} is the JDK's {@code Selector}, which
 * on Linux is also epoll underneath but level-triggered and portable. {@code auto} picks epoll when
 * its native library loads, NIO otherwise.
 */
public enum Transport {
  /** epoll where available, else NIO. */
  AUTO,
  /** Netty's native epoll transport (Linux only). */
  EPOLL,
  /** The JDK's NIO selector. */
  NIO;

  /**
   * Resolves {@link #AUTO} to what this machine supports.
   *
   * @return {@link #EPOLL} or {@link #NIO}
   * @throws UserError if {@link #EPOLL} is asked for and its native library cannot load, with the
   *     reason
   */
  public Transport resolve() {
    return switch (this) {
      case AUTO -> Epoll.isAvailable() ? EPOLL : NIO;
      case EPOLL -> {
        if (!Epoll.isAvailable()) {
          throw new UserError(
              "--transport epoll is not available here ("
                  + Epoll.unavailabilityCause().getMessage()
                  + "); use --transport nio");
        }
        yield EPOLL;
      }
      case NIO -> NIO;
    };
  }

  /**
   * A group of event loops for this (resolved) transport.
   *
   * @param threads number of event-loop threads, 1 or more
   * @return the group; shut it down with {@code shutdownGracefully()}
   */
  public MultiThreadIoEventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
  }

  private IoHandlerFactory ioHandlerFactory() {
    return switch (resolve()) {
      case EPOLL -> EpollIoHandler.newFactory();
      default -> NioIoHandler.newFactory();
    };
  }

  /**
   * @return the AF_UNIX stream server channel class of this (resolved) transport
   */
  public Class<? extends ServerChannel> unixServerChannel() {
    return resolve() == EPOLL
        ? EpollServerDomainSocketChannel.class
        : NioServerDomainSocketChannel.class;
  }

  /**
   * The address type this transport binds AF_UNIX sockets with.
   *
   * @param path the socket file
   * @return Netty's {@code DomainSocketAddress} for epoll, the JDK's {@code
   *     UnixDomainSocketAddress} for NIO
   */
  public SocketAddress unixAddress(Path path) {
    return resolve() == EPOLL
        ? new DomainSocketAddress(path.toString())
        : UnixDomainSocketAddress.of(path);
  }

  /**
   * @return the TCP server channel class of this (resolved) transport
   */
  public Class<? extends ServerChannel> tcpServerChannel() {
    return resolve() == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
