package dev.socklab.netty;

import dev.socklab.common.HeadStart;
import dev.socklab.common.LogSetup;
import dev.socklab.common.UserError;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --transport auto|epoll|io_uring|nio}: which I/O mechanism a Netty event loop uses.
 *
 * <p>{@code epoll} is Netty's native Linux transport: epoll_wait(2) on the loop's own epoll set,
 * edge-triggered, with Linux-only socket options. {@code io_uring} is Netty's native transport on
 * io_uring(7) (Linux 5.14 and later): reads and writes are submitted to a ring shared with the
 * kernel instead of being made readiness-first; container seccomp profiles often forbid it. {@code
 * nio} is the JDK's {@code Selector}, which on Linux is also epoll underneath but level-triggered
 * and portable. {@code auto} picks epoll when its native library loads, NIO otherwise; io_uring is
 * only used when asked for.
 */
public enum Transport {
  /** epoll where available, else NIO. */
  AUTO,
  /** Netty's native epoll transport (Linux only). */
  EPOLL,
  /** Netty's native io_uring transport (Linux only, where the kernel and seccomp allow it). */
  IO_URING,
  /** The JDK's NIO selector. */
  NIO;

  /**
   * Entries of an io_uring loop's completion queue: a power of two, and the most the kernel gives
   * (IORING_MAX_CQ_ENTRIES; a larger request is clamped to it, as Netty's overflow warning then
   * shows: "size: 65536").
   */
  private static final int IO_URING_CQ_SIZE = 1 << 16;

  /** Netty's switch for its JDK Flight Recorder events; see the static initialiser. */
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  /** Netty's switch for its buffer leak detector's level; see the static initialiser. */
  static final String LEAK_DETECTION = "io.netty.leakDetection.level";

  static {
    // Netty 4.2's buffer allocator records JFR events (each disabled in JFR's own settings, so a
    // recording has none unless its .jfc asks) and loads jdk.jfr's event machinery for them with
    // its first chunk: about 0.1 s before the banner of every Netty server on a 2-core machine.
    // Off unless asked for, before any Netty class reads the property: -Dio.netty.jfr.enabled=true
    // (e.g. in SOCKLAB_JAVA_OPTS) turns them back on.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    // Netty's leak detector (level simple) follows one buffer in 128 with a weak reference and a
    // stack trace: garbage that stays in a server's RSS until a collection (the Netty chat engine,
    // one buffer per client per round: ~14 MB in a 5,000-member join storm) and CPU on bench's own
    // loop, which must stay lighter than the server it measures. socklab's buffers each have one
    // owner that releases them. Off unless asked for: -Dio.netty.leakDetection.level=simple (or
    // paranoid) in SOCKLAB_JAVA_OPTS turns it on to hunt a leak. A property, read when Netty's
    // first buffer class is initialised, and not ResourceLeakDetector.setLevel: that would
    // initialise Netty's logging here, and with it logback, 0.1 s on the thread that called a
    // server's warmUpInBackground() (main), before the warm-up could start.
    if (System.getProperty(LEAK_DETECTION) == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) { // its old name
      System.setProperty(LEAK_DETECTION, "disabled");
    }
  }

  /**
   * Resolves {@link #AUTO} to what this machine supports.
   *
   * @return {@link #EPOLL}, {@link #IO_URING} or {@link #NIO}
   * @throws UserError if {@link #EPOLL} or {@link #IO_URING} is asked for and cannot be used here,
   *     with the reason
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
      case IO_URING -> {
        if (!IoUring.isAvailable()) {
          throw new UserError(
              "--transport io_uring is not available here ("
                  + IoUring.unavailabilityCause().getMessage()
                  + "); it needs Linux 5.14+ and a seccomp profile that allows io_uring_setup(2);"
                  + " use --transport epoll");
        }
        yield IO_URING;
      }
      case NIO -> NIO;
    };
  }

  /**
   * Resolves {@link #AUTO} to the fastest transport this machine allows: io_uring, then epoll, then
   * NIO. For a load generator, whose own system calls per message bound what it can measure:
   * io_uring submits reads and writes in batches through a ring shared with the kernel.
   *
   * @return {@link #IO_URING}, {@link #EPOLL} or {@link #NIO}
   * @throws UserError as {@link #resolve()} does, for a transport asked for by name
   */
  public Transport resolveFastest() {
    return this == AUTO && IoUring.isAvailable() ? IO_URING : resolve();
  }

  /**
   * Starts Netty's one-time set-up on a daemon thread: its platform probe (which on JDK 24+ links a
   * native {@code free} through the FFM API), the epoll library (extracted from its jar and loaded)
   * and the buffer allocator, 0.1-0.2 s on a 2-core machine. A server's {@code main} starts it
   * first, right after {@link LogSetup#startInBackground()} (which it waits for: Netty logs through
   * SLF4J), so that both overlap the parsing of the command line (picocli's model, as long again);
   * the command joins it before it uses Netty, so no Netty class is ever initialised by two threads
   * at once. Whatever fails here fails again, and is reported, where the command does it.
   *
   * @return the thread, to join
   */
  public static Thread warmUpInBackground() {
    return HeadStart.start(
        "netty-warm-up",
        () -> {
          LogSetup.awaitBackground(); // Netty's first class asks SLF4J for a logger
          AUTO.resolve();
          ByteBufAllocator.DEFAULT.directBuffer(1).release();
        });
  }

  /**
   * Waits for {@link #warmUpInBackground()}'s thread, if there is one.
   *
   * @param warmUp the thread, or null (tests run commands without {@code main})
   * @throws InterruptedException if interrupted while waiting
   */
  public static void awaitWarmUp(Thread warmUp) throws InterruptedException {
    if (warmUp != null) {
      warmUp.join();
    }
  }

  /**
   * A group of event loops for this (resolved) transport, with Netty's buffer allocator already
   * initialised.
   *
   * @param threads number of event-loop threads, 1 or more
   * @return the group; shut it down with {@code shutdownGracefully()}
   */
  public MultiThreadIoEventLoopGroup newGroup(int threads) {
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
    // One-time set-up belongs before listen(2), not in the first client's round trip: the
    // allocator's first chunk (and, with -Dio.netty.jfr.enabled=true, its JFR events: jdk.jfr's
    // machinery, 70-110 ms on a 2-core machine).
    ByteBufAllocator.DEFAULT.directBuffer(1).release();
    return group;
  }

  private IoHandlerFactory ioHandlerFactory() {
    return switch (resolve()) {
      case EPOLL -> EpollIoHandler.newFactory();
      // A completion queue of 64 Ki entries (1 MiB): every connection keeps a read, and often a
      // write, in flight, and Netty's default (twice the 4,096-entry ring) overflows at 10,000
      // connections, which costs the kernel's slow overflow path and a warning per overflow.
      case IO_URING ->
          IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setCqSize(IO_URING_CQ_SIZE));
      default -> NioIoHandler.newFactory();
    };
  }

  /**
   * @return the AF_UNIX stream server channel class of this (resolved) transport
   */
  public Class<? extends ServerChannel> unixServerChannel() {
    return switch (resolve()) {
      case EPOLL -> EpollServerDomainSocketChannel.class;
      case IO_URING -> IoUringServerDomainSocketChannel.class;
      default -> NioServerDomainSocketChannel.class;
    };
  }

  /**
   * Whether this (resolved) transport is native, so it can read peer credentials (SO_PEERCRED) and
   * name Linux's abstract socket namespace; the JDK's NIO domain sockets can do neither.
   *
   * @return true for epoll and io_uring
   */
  public boolean isNative() {
    return resolve() != NIO;
  }

  /**
   * The address type this transport binds AF_UNIX sockets with.
   *
   * @param path the socket file
   * @return Netty's {@code DomainSocketAddress} for epoll and io_uring, the JDK's {@code
   *     UnixDomainSocketAddress} for NIO
   */
  public SocketAddress unixAddress(Path path) {
    return isNative() ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
  }

  /**
   * The address of {@code NAME} in Linux's abstract socket namespace ({@code man 7 unix}): {@code
   * sun_path} starts with a NUL byte and the name is the bytes after it, with no file anywhere.
   *
   * @param name the name, 1 to {@link dev.socklab.common.UnixSocketPaths#MAX_PATH_BYTES} bytes of
   *     UTF-8
   * @return Netty's {@code DomainSocketAddress} whose path is NUL followed by the name
   * @throws UserError on NIO, whose {@code UnixDomainSocketAddress} cannot hold a NUL byte
   */
  public SocketAddress unixAbstractAddress(String name) {
    if (!isNative()) {
      throw new UserError(
          "--abstract needs a native transport (epoll or io_uring): the JDK's domain sockets"
              + " cannot name the abstract namespace");
    }
    return new DomainSocketAddress("\0" + name);
  }

  /**
   * A listening socket the service manager made and passed as {@code fd} ({@code LISTEN_FDS}, fd 3
   * onwards: {@code man 3 sd_listen_fds}), as a channel of this transport. Netty's epoll channels
   * take a descriptor; the JDK's cannot (it adopts standard input only).
   *
   * @param fd the descriptor, 3 or more
   * @param unix an AF_UNIX listening socket (else TCP)
   * @return the channel, not yet registered
   * @throws UserError unless this (resolved) transport is epoll
   */
  public ServerChannel inheritedServerChannel(int fd, boolean unix) {
    if (resolve() != EPOLL) {
      throw new UserError(
          "an inherited listening socket (LISTEN_FDS, fd "
              + fd
              + ") needs --transport epoll: only Netty's epoll channels adopt a descriptor");
    }
    // active=true: it already listens, so registering it starts accepting (the one-argument
    // domain constructor would wait for a bind that never comes).
    return unix ? new EpollServerDomainSocketChannel(fd, true) : new EpollServerSocketChannel(fd);
  }

  /**
   * @return the TCP server channel class of this (resolved) transport
   */
  public Class<? extends ServerChannel> tcpServerChannel() {
    return switch (resolve()) {
      case EPOLL -> EpollServerSocketChannel.class;
      case IO_URING -> IoUringServerSocketChannel.class;
      default -> NioServerSocketChannel.class;
    };
  }

  /**
   * @return the TCP client channel class of this (resolved) transport
   */
  public Class<? extends Channel> tcpChannel() {
    return switch (resolve()) {
      case EPOLL -> EpollSocketChannel.class;
      case IO_URING -> IoUringSocketChannel.class;
      default -> NioSocketChannel.class;
    };
  }

  /**
   * @return the AF_UNIX stream client channel class of this (resolved) transport
   */
  public Class<? extends Channel> unixChannel() {
    return switch (resolve()) {
      case EPOLL -> EpollDomainSocketChannel.class;
      case IO_URING -> IoUringDomainSocketChannel.class;
      default -> NioDomainSocketChannel.class;
    };
  }

  /**
   * @return the UDP channel class of this (resolved) transport
   */
  public Class<? extends DatagramChannel> datagramChannel() {
    return switch (resolve()) {
      case EPOLL -> EpollDatagramChannel.class;
      case IO_URING -> IoUringDatagramChannel.class;
      default -> NioDatagramChannel.class;
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code --transport} as the help spells the values: auto, epoll, io_uring, nio. */
  public static final class Converter implements ITypeConverter<Transport> {
    /**
     * @param text a transport name, any case
     * @return the transport
     * @throws TypeConversionException naming the accepted values, if {@code text} is none of them
     */
    @Override
    public Transport convert(String text) {
      for (Transport t : values()) {
        if (t.toString().equalsIgnoreCase(text)) {
          return t;
        }
      }
      throw new TypeConversionException(
          "'" + text + "' is not a transport: use auto, epoll, io_uring or nio");
    }
  }
}
