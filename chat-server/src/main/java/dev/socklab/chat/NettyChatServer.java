package dev.socklab.chat;

import dev.socklab.common.Endpoints;
import dev.socklab.common.NetErrors;
import dev.socklab.common.SocketCalls;
import dev.socklab.netty.NettyListenTrace;
import dev.socklab.netty.NettyTraceHandler;
import dev.socklab.netty.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat server on a Netty event loop: the same {@link ChatRoom}, with Netty doing what {@link
 * SelectorChatServer} writes by hand. One event-loop thread serves the listening socket and every
 * client (so the room needs no locks), on native epoll on Linux or NIO elsewhere.
 *
 * <p>Netty pieces used: {@link LineBasedFrameDecoder} (bounded line framing; a too-long line is
 * discarded as it streams in), the channel's outbound buffer with a {@link WriteBufferWaterMark} (a
 * client whose unsent output passes {@code maxPendingBytes} becomes unwritable and is cut off; all
 * clients' together are bounded by {@code maxPendingTotalBytes}: {@link OutputBudget}), {@code
 * ALLOW_HALF_CLOSURE} (a client's FIN is an event, not a close, so queued output still reaches it),
 * and a {@link ChannelGroup} to flush and close everyone on shutdown.
 */
public final class NettyChatServer implements ChatServer {
  private static final Logger log = LoggerFactory.getLogger(NettyChatServer.class);

  private final Config config;
  private final Transport transport;
  private final EventLoopGroup group;
  private final ChatRoom room;
  private final OutputBudget budget;
  private final Set<ClientHandler> handlers = new HashSet<>(); // event loop only: for the budget
  private final ChannelGroup clients;
  private Channel listener;
  private volatile boolean stopping;
  private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
  private Stats finalStats;
  private long nextId; // only touched on the event loop
  private final ArrayDeque<ClientHandler> dirtyClients = new ArrayDeque<>(); // event loop only

  // Connections accepted per readiness of the listening socket, as the selector engine does.
  private static final int ACCEPT_BATCH = 16;
  // First capacity of a client's buffer for one round's lines, bytes; it grows as lines come.
  private static final int STAGED_INITIAL = 512;
  // What Netty's outbound buffer adds to each message's size when it counts pending bytes
  // (ChannelOutboundBuffer, io.netty.transport.outboundBufferEntrySizeOverhead): a round's
  // staged lines are counted the same way before they become that message.
  private static final int ENTRY_OVERHEAD = 96;

  private NettyChatServer(Config config) {
    this.config = config;
    this.transport = config.transport().resolve();
    this.group = transport.newGroup(1); // one thread: the whole server is one event loop
    this.room = new ChatRoom(config.maxLineBytes());
    this.budget = new OutputBudget(config.maxPendingTotalBytes(), room);
    this.clients = new DefaultChannelGroup(group.next());
  }

  /**
   * Binds, listens and starts serving on one event-loop thread.
   *
   * @param config how to listen
   * @return the running server
   * @throws dev.socklab.common.UserError if the address cannot be bound or the transport is
   *     unavailable
   * @throws IOException never in practice; declared for symmetry with the selector engine
   */
  public static NettyChatServer start(Config config) throws IOException {
    NettyChatServer server = new NettyChatServer(config);
    server.bind();
    return server;
  }

  /**
   * Serves the TCP listening socket the service manager passed as {@code fd} ({@code LISTEN_FDS}:
   * {@code man 3 sd_listen_fds}) instead of binding one; the address and backlog of {@code config}
   * are unused.
   *
   * @param config how to serve; its transport must resolve to epoll
   * @param fd the inherited descriptor, 3 or more
   * @return the running server
   * @throws dev.socklab.common.UserError if the transport is not epoll, or {@code fd} is not a TCP
   *     listening socket
   */
  public static NettyChatServer adopt(Config config, int fd) {
    NettyChatServer server = new NettyChatServer(config);
    try {
      server.listener =
          NettyListenTrace.adopt(
              server.bootstrap(false),
              server.transport.inheritedServerChannel(fd, false),
              fd,
              config.trace(),
              false);
    } catch (RuntimeException e) {
      server.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
    server.watchListener();
    return server;
  }

  private void bind() {
    ServerBootstrap b = bootstrap(true).channel(transport.tcpServerChannel());
    try {
      listener =
          NettyListenTrace.bind(
              b,
              config.bindAddress(),
              config.trace(),
              SocketCalls.inetFamily(),
              List.of("SO_REUSEADDR, 1"),
              null,
              config.backlog());
    } catch (Exception e) { // Netty rethrows the bind(2) failure as thrown by the JDK
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      if (e instanceof IOException io) {
        throw NetErrors.bindFailed(io, config.bindAddress());
      }
      throw e;
    }
    watchListener();
  }

  // No channel class yet: bind() names one, adopt() hands over the inherited channel.
  // batchAccepts: see ACCEPT_BATCH; only for a listening socket known to be non-blocking.
  private ServerBootstrap bootstrap(boolean batchAccepts) {
    int high = config.maxPendingBytes();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .option(ChannelOption.SO_BACKLOG, config.backlog())
            .option(ChannelOption.SO_REUSEADDR, true);
    if (batchAccepts) {
      // Netty's default stops accepting after one connection when epoll is level-triggered (it
      // cannot tell whether more are waiting), so the loop would flush every join notice to
      // everyone before the next accept: 5,000 connects cost 12.5 million one-line writes.
      // Up to ACCEPT_BATCH accepts per round let one write carry several notices. Not for an
      // inherited socket: systemd passes it blocking unless the service says NonBlocking=yes
      // (ours does; systemd-socket-activate cannot), and the accept(2) that finds the queue
      // empty would block the loop.
      ServerChannelRecvByteBufAllocator accepts = new ServerChannelRecvByteBufAllocator();
      accepts.respectMaybeMoreData(false).maxMessagesPerRead(ACCEPT_BATCH);
      b.option(ChannelOption.RECVBUF_ALLOCATOR, accepts);
    }
    return b.childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(
            ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                String remote = "#" + ++nextId + " " + Endpoints.format(ch.remoteAddress());
                if (config.trace().on()) {
                  ch.pipeline()
                      .addLast(new NettyTraceHandler(config.trace().forConnection(remote)));
                }
                ch.pipeline()
                    .addLast(new LineBasedFrameDecoder(config.maxLineBytes(), true, true))
                    .addLast(new ClientHandler(remote));
              }
            });
  }

  private void watchListener() {
    // The event loop does not die, but its listener can close under it: then the server is dead.
    listener
        .closeFuture()
        .addListener(
            f -> {
              if (finalStats == null && !stopping) {
                failure.complete(new IOException("the listening socket was closed"));
              }
            });
  }

  /** One connection: frames arrive as whole lines; the room sends back through {@link #send}. */
  private final class ClientHandler extends SimpleChannelInboundHandler<ByteBuf>
      implements OutputBudget.Queue {
    private final String remote;
    private Channel ch;
    private boolean dirty; // in dirtyClients: has unflushed output
    // This round's lines for this client, copied into one direct buffer and written as one
    // message when the round ends: one outbound entry per client per round, not one entry and
    // one buffer object per line (a join notice to 5,000 clients made 10,000 objects).
    private ByteBuf staged;
    // This client's bytes in the budget as last counted. Netty writes the rest of a partial write
    // on its own (on EPOLLOUT), so the count can be high until queued() counts again: never low.
    private long counted;

    ClientHandler(String remote) {
      this.remote = remote;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ch = ctx.channel();
      clients.add(ch);
      handlers.add(this);
      if (room.size() >= config.maxClients()) {
        log.warn("{} refused: --max-clients {} reached", remote, config.maxClients());
        send(ChatRoom.encode("* server full"));
        close();
      } else {
        room.join(this);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
      room.line(this, line.toString(StandardCharsets.UTF_8)); // malformed -> U+FFFD
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        room.leave(this); // the client half-closed: it has said all it will say
        close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      dropStaged();
      queued(); // zero now: Netty released the outbound buffer
      handlers.remove(this);
      room.leave(this);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      queued(); // the kernel took (or Netty queued) a water mark's worth: count again
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof TooLongFrameException) {
        room.lineTooLong(this); // the decoder drops the rest of the line as it arrives
      } else {
        log.info(
            "{} {}",
            remote,
            cause instanceof IOException io && NetErrors.isReset(io)
                ? "reset by peer (RST)"
                : cause.toString());
        ctx.close();
      }
    }

    @Override
    public boolean send(byte[] line) {
      if (!ch.isActive()) {
        return true;
      }
      budget.makeRoom(line.length + (staged == null ? ENTRY_OVERHEAD : 0), handlers);
      if (!ch.isActive()) {
        return true; // cut off to make room: the room is told
      }
      if (staged == null) {
        staged = ch.alloc().directBuffer(Math.max(line.length, STAGED_INITIAL)); // grows
      }
      staged.writeBytes(line); // written to the channel and flushed by flushDirty
      queued();
      if (!dirty) {
        dirty = true;
        dirtyClients.add(this);
        if (dirtyClients.size() == 1) {
          // Flush once the loop has handled every socket that was ready: one write(2) per
          // client per round, however many lines the round produced for it.
          ch.eventLoop().execute(flushDirty);
        }
      }
      if (staged.readableBytes() > ch.bytesBeforeUnwritable()) {
        // Over the high water mark, counting this round's lines: flush now, and cut the client
        // off only if the kernel will not take it (it is not reading).
        flush();
      }
      return ch.isWritable();
    }

    // Hands this round's lines to the channel's outbound buffer and writes what the kernel takes.
    @Override
    public void flush() {
      if (staged != null) {
        ByteBuf lines = staged;
        staged = null;
        ch.write(lines, ch.voidPromise()); // Netty releases it once written (or failed)
      }
      ch.flush();
      queued();
    }

    @Override
    public long queued() {
      ChannelOutboundBuffer out = ch.unsafe().outboundBuffer(); // null once closed
      long now =
          (staged == null ? 0 : staged.readableBytes() + ENTRY_OVERHEAD)
              + (out == null ? 0 : out.totalPendingWriteBytes());
      budget.add(now - counted);
      counted = now;
      return now;
    }

    @Override
    public boolean isOpen() {
      return ch.isOpen();
    }

    private void dropStaged() {
      if (staged != null) {
        staged.release();
        staged = null;
      }
    }

    @Override
    public void close() {
      // This round's lines, then an empty write: close once it, and so all before it, is sent.
      flush();
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      queued();
    }

    @Override
    public void abort() {
      dropStaged();
      ch.close();
      queued();
    }

    @Override
    public String remote() {
      return remote;
    }
  }

  private final Runnable flushDirty =
      () -> {
        for (ClientHandler c; (c = dirtyClients.poll()) != null; ) {
          c.dirty = false;
          c.flush(); // write(2)/writev(2) of everything queued for this client
        }
      };

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) listener.localAddress();
  }

  @Override
  public int connectedClients() {
    return room.size();
  }

  @Override
  public long queuedBytes() {
    return budget.total();
  }

  @Override
  public String describe() {
    return "one thread, a Netty event loop on " + transport;
  }

  @Override
  public CompletableFuture<Throwable> failure() {
    return failure;
  }

  @Override
  public synchronized Stats stop(Duration grace) {
    if (finalStats != null) {
      return finalStats;
    }
    stopping = true;
    config.trace().call("close() listening socket");
    listener.close().syncUninterruptibly(); // stop accepting
    group
        .next()
        .submit(
            () -> {
              room.shutdown(); // notice, then close after flush
              flushDirty.run();
            })
        .syncUninterruptibly();
    if (!clients.newCloseFuture().awaitUninterruptibly(grace.toMillis())) {
      log.warn(
          "{} client(s) still flushing after {} ms: closing them",
          clients.size(),
          grace.toMillis());
      clients.close().awaitUninterruptibly(1_000);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    finalStats =
        new Stats(room.joinedCount(), room.relayedCount(), room.cutOffCount(), budget.peak());
    return finalStats;
  }
}
