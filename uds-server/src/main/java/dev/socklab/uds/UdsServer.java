package dev.socklab.uds;

import dev.socklab.common.Endpoints;
import dev.socklab.common.HeadStart;
import dev.socklab.common.LogSetup;
import dev.socklab.common.NetErrors;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.UnixSocketPaths;
import dev.socklab.common.UserError;
import dev.socklab.netty.NettyListenTrace;
import dev.socklab.netty.NettyTraceHandler;
import dev.socklab.netty.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.PeerCredentials;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AF_UNIX stream echo server on Netty's native epoll transport ({@code
 * EpollServerDomainSocketChannel}), NIO domain sockets elsewhere.
 *
 * <p>The path is handled as {@code man 7 unix} asks: a live server's socket is never taken over, a
 * stale one is removed, anything else is left alone ({@link UnixSocketPaths}). The socket is bound
 * under a temporary name inside a fresh 0700 directory, chmod'ed to {@code mode}, and only then
 * linked to its real name, so it never exists with looser permissions where others can reach it.
 * Each connection's peer credentials (SO_PEERCRED: pid, uid, gid) are logged and may be restricted
 * to some uids.
 *
 * <p>With an abstract name instead of a path (Linux only, {@code man 7 unix}) there is no file:
 * nothing to remove, nothing stale, and no permissions either, so any process in the same network
 * namespace may connect and the peer uid is the only thing that tells them apart.
 */
public final class UdsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdsServer.class);
  private static final int BACKLOG = 1024; // listen(2)

  /**
   * How the server listens.
   *
   * @param path the socket file, or null with {@code abstractName}
   * @param abstractName a name in the abstract namespace (no file), or null with {@code path}
   * @param mode the socket file's permission bits, e.g. 0600 (owner only) or 0660 (owner and
   *     group); unused for an abstract name
   * @param allowUids uids that may connect; empty = anyone who may open the file
   * @param transport epoll or io_uring (peer credentials, abstract names) or NIO
   * @param tcpPort also serve TCP on this loopback port, 0 = ephemeral, -1 = no TCP
   * @param trace where socket calls are traced
   */
  public record Config(
      Path path,
      String abstractName,
      int mode,
      Set<Integer> allowUids,
      Transport transport,
      int tcpPort,
      Trace trace) {
    /** Default permission bits of the socket file: owner only. */
    public static final int DEFAULT_MODE = 0600;

    /**
     * @throws IllegalArgumentException if both {@code path} and {@code abstractName} are given, or
     *     if {@code mode} is not 0-0777
     */
    public Config {
      if (path != null && abstractName != null) {
        throw new IllegalArgumentException("give a socket path or an abstract name, not both");
      }
      if (mode < 0 || mode > 0777) {
        throw new IllegalArgumentException(
            "mode must be 0-0777, not " + Integer.toOctalString(mode));
      }
      allowUids = Set.copyOf(allowUids);
    }

    /**
     * A server on a socket file, with the defaults: mode 0600, anyone the mode lets in, transport
     * auto, no TCP, no trace.
     *
     * @param path the socket file
     * @return the configuration
     */
    public static Config atPath(Path path) {
      return new Config(path, null, DEFAULT_MODE, Set.of(), Transport.AUTO, -1, Trace.disabled());
    }

    /**
     * A server on a name in the abstract namespace ({@code man 7 unix}), with the defaults.
     *
     * @param name the name without the leading NUL, 1-107 bytes
     * @return the configuration
     */
    public static Config atAbstractName(String name) {
      return new Config(null, name, DEFAULT_MODE, Set.of(), Transport.AUTO, -1, Trace.disabled());
    }

    /**
     * A server on a socket the service manager made ({@link UdsServer#adopt}, {@link
     * UdsServer#serveConnection}): no path, no name, no mode of ours.
     *
     * @return the configuration, with the defaults
     */
    public static Config inherited() {
      return new Config(null, null, DEFAULT_MODE, Set.of(), Transport.AUTO, -1, Trace.disabled());
    }

    /**
     * @param bits permission bits, e.g. 0600 or 0660
     * @return this configuration with another mode
     */
    public Config withMode(int bits) {
      return new Config(path, abstractName, bits, allowUids, transport, tcpPort, trace);
    }

    /**
     * @param uids uids that may connect; empty = anyone
     * @return this configuration with another uid list
     */
    public Config withAllowUids(Set<Integer> uids) {
      return new Config(path, abstractName, mode, uids, transport, tcpPort, trace);
    }

    /**
     * @param t the transport
     * @return this configuration with another transport
     */
    public Config withTransport(Transport t) {
      return new Config(path, abstractName, mode, allowUids, t, tcpPort, trace);
    }

    /**
     * @param port TCP port on 127.0.0.1 to serve too, 0 = ephemeral, -1 = none
     * @return this configuration with another TCP port
     */
    public Config withTcpPort(int port) {
      return new Config(path, abstractName, mode, allowUids, transport, port, trace);
    }

    /**
     * @param t where socket calls are traced
     * @return this configuration with another tracer
     */
    public Config withTrace(Trace t) {
      return new Config(path, abstractName, mode, allowUids, transport, tcpPort, t);
    }
  }

  /**
   * @param clients clients accepted and served (refused ones not counted)
   * @param refused connections closed for their uid
   * @param bytes bytes echoed
   * @param fileRemoved whether stop() removed the socket file (false for an abstract name, or when
   *     the path no longer holds the socket this server made)
   */
  public record Stats(long clients, long refused, long bytes, boolean fileRemoved) {}

  private final Config config;
  private final Transport transport;
  private final EventLoopGroup group;
  private final ChannelGroup children;
  private final EchoHandler echo = new EchoHandler();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private volatile boolean stopping;
  private Channel unixListener;
  private Channel tcpListener;
  private Object socketFileKey; // the inode we created, so we never delete someone else's file
  private Stats finalStats;

  private UdsServer(Config config) {
    this.config = config;
    this.transport = config.transport().resolve();
    if (!config.allowUids().isEmpty() && !transport.isNative()) {
      throw new UserError(
          "--allow-uid needs peer credentials (SO_PEERCRED), which only --transport epoll or"
              + " io_uring read");
    }
    this.group = transport.newGroup(1);
    this.children = new DefaultChannelGroup(group.next());
  }

  /**
   * Prepares the path, binds, sets the mode, links the socket into place and serves.
   *
   * @param config how to listen
   * @return the running server
   * @throws UserError for a path that is too long, not a socket, live, or not writable, or an
   *     abstract name that is too long or already bound
   * @throws IOException if the socket file cannot be set up
   */
  public static UdsServer start(Config config) throws IOException {
    if (config.path() == null && config.abstractName() == null) {
      throw new IllegalArgumentException("start() needs a socket path or an abstract name");
    }
    UdsServer s = new UdsServer(config);
    try {
      s.bind();
    } catch (IOException | RuntimeException e) {
      s.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
    s.warmUp();
    return s;
  }

  // What the first client would otherwise wait for, done once we listen on a daemon thread: an
  // AF_UNIX channel of the transport (the class of every accepted connection, its config and its
  // unsafe), registered on the loop and closed, never connected nor counted; and a log line's
  // formatting (printing nothing). Its classes also reach the launcher's class-data archive when
  // the run that writes it served nobody: such a run's archive left 46 classes to read from the
  // jars at the first connection.
  private void warmUp() {
    HeadStart.start(
        "warm-up",
        () -> {
          LogSetup.warmUp();
          Channel ch = transport.unixChannel().getDeclaredConstructor().newInstance();
          group.register(ch).syncUninterruptibly();
          ch.close().syncUninterruptibly();
        });
  }

  /**
   * Serves the AF_UNIX listening socket the service manager passed as {@code fd} ({@code
   * LISTEN_FDS}: {@code man 3 sd_listen_fds}; systemd {@code ListenStream=/run/socklab/echo.sock}):
   * no bind(2), no chmod(2), and no unlink(2) on stop, for the file is systemd's ({@code
   * SocketMode=}, {@code RemoveOnStop=}: {@code man 5 systemd.socket}).
   *
   * @param config transport (epoll), allowed uids and trace; path, name, mode and TCP are unused
   * @param fd the inherited descriptor, 3 or more
   * @return the running server
   * @throws dev.socklab.common.UserError if the transport is not epoll or {@code fd} is not an
   *     AF_UNIX listening socket
   */
  public static UdsServer adopt(Config config, int fd) {
    UdsServer s = new UdsServer(config);
    try {
      s.unixListener =
          NettyListenTrace.adopt(
              s.bootstrap(),
              s.transport.inheritedServerChannel(fd, true),
              fd,
              config.trace(),
              true);
    } catch (RuntimeException e) {
      s.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
    s.watch(s.unixListener);
    return s;
  }

  /**
   * {@code --inetd}: serves the one AF_UNIX connection on standard input (systemd {@code
   * Accept=yes} with {@code StandardInput=socket}, {@code systemd-socket-activate --accept
   * --inetd}, socat {@code EXEC:}) on Netty's epoll transport, with peer credentials as for any
   * client. {@link #finished()} completes when it ends.
   *
   * @param config transport (epoll), allowed uids and trace
   * @return the server, already serving
   * @throws dev.socklab.common.UserError if the transport is not epoll
   */
  public static UdsServer serveConnection(Config config) {
    UdsServer s = new UdsServer(config);
    if (s.transport != Transport.EPOLL) {
      s.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new UserError("--inetd needs --transport epoll: only it adopts a descriptor");
    }
    Channel conn = new EpollDomainSocketChannel(0); // fd 0: the connection the manager accepted
    new io.netty.bootstrap.Bootstrap()
        .group(s.group)
        .channelFactory(() -> conn)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .handler(s.childInitializer())
        .register()
        .syncUninterruptibly();
    conn.closeFuture().addListener(f -> s.finished.complete(null));
    return s;
  }

  /**
   * Completes when the one connection of {@link #serveConnection} has ended.
   *
   * @return a future that never completes for a listening server
   */
  public CompletableFuture<Void> finished() {
    return finished;
  }

  private void bind() throws IOException {
    if (config.abstractName() != null) {
      bindAbstract(config.abstractName());
    } else {
      bindPath(config.path().toAbsolutePath());
    }
    if (config.tcpPort() >= 0) {
      InetSocketAddress tcp =
          new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), config.tcpPort());
      try {
        tcpListener =
            NettyListenTrace.bind(
                bootstrap().channel(transport.tcpServerChannel()),
                tcp,
                config.trace(),
                SocketCalls.inetFamily(),
                List.of(),
                null,
                BACKLOG);
        watch(tcpListener);
      } catch (Exception e) { // the JDK's BindException, rethrown by Netty
        if (e instanceof IOException io) {
          throw NetErrors.bindFailed(io, tcp);
        }
        throw e;
      }
    }
  }

  // bind(2) to "\0NAME": the kernel frees the name with the last socket, so it is never stale, and
  // a name in use can only be a live socket (EADDRINUSE).
  private void bindAbstract(String name) {
    UnixSocketPaths.checkAbstractName(name);
    try {
      unixListener = listenUnix(transport.unixAbstractAddress(name), "@" + name);
    } catch (Exception e) { // Netty's NativeIoException, rethrown unchecked
      if (NetErrors.is(e, NetErrors.Errno.EADDRINUSE)) {
        throw new UserError(
            "abstract name @"
                + name
                + " is in use by a live socket (EADDRINUSE): stop that server or choose another"
                + " --abstract",
            e);
      }
      throw e;
    }
    if (config.allowUids().isEmpty()) {
      log.warn(
          "abstract socket @{} has no file and so no permissions: any process in this network"
              + " namespace may connect; --allow-uid restricts it by peer uid",
          name);
    }
  }

  private void bindPath(Path path) throws IOException {
    Path dir = path.getParent();
    if (!Files.isDirectory(dir)) {
      throw new UserError(
          "directory " + dir + " does not exist: create it or choose another --path");
    }
    UnixSocketPaths.prepareForBind(path, "uds-server");
    if (!transport.isNative()) {
      log.warn(
          "NIO domain sockets: peer credentials (SO_PEERCRED) cannot be read on this transport");
    }
    // bind(2) inside a fresh 0700 directory, chmod, then link(2) to the real name.
    Path privateDir;
    try {
      privateDir =
          Files.createTempDirectory(
              dir,
              ".socklab-bind-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (java.nio.file.AccessDeniedException e) {
      throw new UserError(
          "cannot create a socket in "
              + dir
              + ": permission denied (EACCES) — choose a --path in a directory you may write",
          e);
    }
    Path tmp = privateDir.resolve("s");
    try {
      UnixSocketPaths.checkLength(tmp);
    } catch (UserError e) {
      Files.delete(privateDir);
      throw new UserError(
          "socket path "
              + path
              + " fits sun_path, but it is first bound in a private directory beside it ("
              + tmp
              + ") and that does not: choose a shorter --path");
    }
    try {
      unixListener = listenUnix(transport.unixAddress(tmp), tmp.toString());
      Files.setPosixFilePermissions(tmp, permissions(config.mode())); // chmod(2)
      config.trace().call("chmod(" + tmp + ", " + String.format("%04o", config.mode()) + ")");
      UnixSocketPaths.linkIntoPlace(tmp, path); // link(2), then unlink(2) of the temporary name
      config.trace().call("link(" + tmp + ", " + path + ")");
      socketFileKey =
          Files.readAttributes(
                  path,
                  java.nio.file.attribute.BasicFileAttributes.class,
                  LinkOption.NOFOLLOW_LINKS)
              .fileKey();
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(privateDir);
    }
  }

  // socket(AF_UNIX, SOCK_STREAM) + bind(2) + listen(2): Netty's bind() does all three.
  private Channel listenUnix(java.net.SocketAddress address, String shown) {
    Channel ch =
        NettyListenTrace.bind(
            bootstrap().channel(transport.unixServerChannel()),
            address,
            config.trace(),
            "AF_UNIX",
            List.of(),
            shown,
            BACKLOG);
    watch(ch);
    return ch;
  }

  // A listener that closes while nobody stops the server leaves it dead: report it.
  private void watch(Channel listener) {
    listener
        .closeFuture()
        .addListener(
            f -> {
              if (!stopping) {
                failure.complete(new IOException("the listening socket was closed"));
              }
            });
  }

  // No channel class yet: bind() names one, adopt() hands over the inherited channel.
  private ServerBootstrap bootstrap() {
    return new ServerBootstrap()
        .group(group)
        .option(ChannelOption.SO_BACKLOG, BACKLOG)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(childInitializer());
  }

  private ChannelInitializer<Channel> childInitializer() {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (config.trace().on()) {
          ch.pipeline()
              .addLast(
                  new NettyTraceHandler(
                      config.trace().forConnection("#" + (connections.get() + 1))));
        }
        ch.pipeline().addLast(new Credentials(), echo);
      }
    };
  }

  /** Logs each connection's peer credentials and enforces {@code --allow-uid}. */
  private final class Credentials extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      long id = connections.incrementAndGet();
      children.add(ctx.channel());
      PeerCredentials c = peerCredentials(ctx.channel()); // getsockopt(SO_PEERCRED)
      if (c != null) {
        int gid = c.gids().length > 0 ? c.gids()[0] : -1;
        if (!config.allowUids().isEmpty() && !config.allowUids().contains(c.uid())) {
          refused.incrementAndGet();
          log.warn(
              "#{} refused: pid={} uid={} gid={} is not in --allow-uid {}",
              id,
              c.pid(),
              c.uid(),
              gid,
              config.allowUids());
          ctx.close();
          return;
        }
        log.info("#{} connected: pid={} uid={} gid={}", id, c.pid(), c.uid(), gid);
      } else {
        log.info("#{} connected from {}", id, Endpoints.format(ctx.channel().remoteAddress()));
      }
      ctx.fireChannelActive();
      ctx.pipeline().remove(this); // checked once per connection: out of the way of the echo
    }
  }

  // Netty's native channels have no common interface for this.
  private static PeerCredentials peerCredentials(Channel ch) throws IOException {
    if (ch instanceof EpollDomainSocketChannel e) {
      return e.peerCredentials();
    }
    if (ch instanceof IoUringDomainSocketChannel u) {
      return u.peerCredentials();
    }
    return null; // NIO, or TCP with --tcp
  }

  /**
   * @return the AF_UNIX address listened on, or null with {@code --inetd}
   */
  public java.net.SocketAddress localAddress() {
    if (unixListener == null) {
      return null;
    }
    java.net.SocketAddress a = unixListener.localAddress();
    return a != null ? a : NettyListenTrace.inheritedAddress(unixListener, true); // adopted
  }

  /**
   * @return the TCP address served with {@code --tcp}, or null
   */
  public InetSocketAddress tcpAddress() {
    return tcpListener == null ? null : (InetSocketAddress) tcpListener.localAddress();
  }

  /**
   * Completes, with the cause, if a listening socket closes without {@link #stop(Duration)}; the
   * process then exits 1.
   *
   * @return a future that never completes while the server is healthy
   */
  public CompletableFuture<Throwable> failure() {
    return failure;
  }

  /**
   * @return the transport actually used
   */
  public Transport transport() {
    return transport;
  }

  /**
   * Stops: no new connections, every connection closed after its queued output (at most {@code
   * grace}), the socket file removed if it is still the one this server created (an abstract name
   * is freed by the kernel when the listener closes).
   *
   * @param grace how long flushing may take
   * @return what the server did
   */
  public synchronized Stats stop(Duration grace) {
    if (finalStats != null) {
      return finalStats;
    }
    stopping = true;
    if (unixListener != null) { // null with --inetd: nothing listens
      config.trace().call("close() listening socket");
      unixListener.close().syncUninterruptibly();
    }
    if (tcpListener != null) {
      tcpListener.close().syncUninterruptibly();
    }
    boolean removed = removeSocketFile();
    children.close().awaitUninterruptibly(grace.toMillis());
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    finalStats =
        new Stats(connections.get() - refused.get(), refused.get(), echo.bytes.sum(), removed);
    return finalStats;
  }

  // unlink(2) of our socket file, only if the path still holds the inode we made.
  private boolean removeSocketFile() {
    if (config.path() == null) {
      return false; // an abstract name, or systemd's socket (it removes the file itself)
    }
    Path path = config.path().toAbsolutePath();
    try {
      Object key =
          Files.readAttributes(
                  path,
                  java.nio.file.attribute.BasicFileAttributes.class,
                  LinkOption.NOFOLLOW_LINKS)
              .fileKey();
      if (key != null && key.equals(socketFileKey)) {
        Files.delete(path); // unlink(2): the path is free for the next server
        config.trace().call("unlink(" + path + ")");
        return true;
      }
      log.warn("{} is no longer the socket this server made: left in place", path);
    } catch (IOException e) {
      log.warn("could not remove {}: {}", path, e.getMessage());
    }
    return false;
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(2));
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }
}
