package dev.socklab.client;

import dev.socklab.common.NetErrors;
import dev.socklab.common.Trace;
import dev.socklab.common.UnixSocketPaths;
import dev.socklab.common.UserError;
import dev.socklab.netty.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Conn} to a name in Linux's abstract socket namespace ({@code man 7 unix}).
 *
 * <p>The JDK's {@code UnixDomainSocketAddress} cannot hold the NUL byte that starts such an
 * address, so this connection goes through Netty's native epoll channel and is bridged to the
 * blocking streams the clients use: the event loop hands each received chunk to a queue and stops
 * reading while {@value #MAX_QUEUED} chunks wait (so a slow reader pushes back on the server, as a
 * full receive buffer would); a write returns once Netty has written it to the socket.
 */
public final class AbstractConn implements Conn {
  private static final int MAX_QUEUED = 64;
  private static final byte[] EOF = new byte[0]; // compared by identity

  private final EventLoopGroup group;
  private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
  private final InputStream in = new ChunkStream();
  private volatile IOException failure;
  private DuplexChannel channel;
  private volatile Duration timeout;

  private final Trace trace;

  private AbstractConn(EventLoopGroup group, Trace trace) {
    this.group = group;
    this.trace = trace;
  }

  /**
   * connect(2) to {@code \0NAME}.
   *
   * @param name the abstract name, without the leading NUL
   * @param trace where socket(2), connect(2), shutdown(2) and close(2) are traced
   * @return the connection
   * @throws UserError if the name is invalid, epoll is unavailable, or nobody listens on it
   */
  public static AbstractConn connect(String name, Trace trace) {
    UnixSocketPaths.checkAbstractName(name);
    if (!Epoll.isAvailable()) {
      throw new UserError(
          "--abstract needs Netty's native epoll transport, which cannot load here ("
              + Epoll.unavailabilityCause().getMessage()
              + ")");
    }
    Transport epoll = Transport.EPOLL;
    AbstractConn conn = new AbstractConn(epoll.newGroup(1), trace);
    ChannelFuture f =
        new Bootstrap()
            .group(conn.group)
            .channel(EpollDomainSocketChannel.class)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true) // our shutdownOutput keeps the input
            .handler(conn.new Receiver())
            .connect(epoll.unixAbstractAddress(name))
            .awaitUninterruptibly();
    // Netty made socket(AF_UNIX, SOCK_STREAM) and connect(2) on its event loop; trace them here.
    trace.call("socket(AF_UNIX, SOCK_STREAM)");
    if (f.isSuccess()) {
      trace.call("connect(@" + name + ")");
    } else {
      trace.failed("connect(@" + name + ")", f.cause());
      conn.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      String why = String.valueOf(f.cause().getMessage());
      if (NetErrors.is(f.cause(), NetErrors.Errno.ECONNREFUSED)) {
        throw new UserError(
            "no server listens on abstract name @"
                + name
                + " (ECONNREFUSED) — start one with ./socklab uds-server --abstract "
                + name,
            f.cause());
      }
      throw new UserError("cannot connect to @" + name + ": " + why, f.cause());
    }
    conn.channel = (DuplexChannel) f.channel();
    return conn;
  }

  /** Runs on the event loop: queues what arrives, and EOF once. */
  private final class Receiver extends ChannelInboundHandlerAdapter {
    private boolean ended;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        byte[] chunk = new byte[buf.readableBytes()];
        buf.readBytes(chunk);
        received.add(chunk);
      } finally {
        buf.release();
      }
      if (received.size() >= MAX_QUEUED) {
        ctx.channel().config().setAutoRead(false); // resumed by the reader as it drains
        if (received.size() < MAX_QUEUED / 2) {
          // The reader drained the queue before it could see autoRead off: resume here.
          ctx.channel().config().setAutoRead(true);
        }
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        end(); // the peer's half-close (read(2) returned 0)
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      end();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failure = cause instanceof IOException io ? io : new IOException(cause);
      end();
      ctx.close();
    }

    private void end() {
      if (!ended) {
        ended = true;
        received.add(EOF);
      }
    }
  }

  @Override
  public InputStream in() {
    return in;
  }

  /** The connection's one input stream: it holds the rest of the chunk being read. */
  private final class ChunkStream extends BulkInput {
    private byte[] chunk = new byte[0];
    private int pos;

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (chunk != EOF && pos == chunk.length) {
        chunk = next();
        pos = 0;
      }
      if (chunk == EOF) {
        if (failure != null) {
          throw failure;
        }
        return -1;
      }
      int n = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  private byte[] next() throws IOException {
    byte[] c;
    try {
      c =
          timeout == null
              ? received.take()
              : received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading");
    }
    if (c == null) {
      throw new SocketTimeoutException("no data within " + timeout.toMillis() + " ms");
    }
    if (received.size() < MAX_QUEUED / 2 && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    return c;
  }

  @Override
  public OutputStream out() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ChannelFuture f =
            channel.writeAndFlush(Unpooled.copiedBuffer(b, off, len)).awaitUninterruptibly();
        if (!f.isSuccess()) {
          throw f.cause() instanceof IOException io ? io : new IOException(f.cause());
        }
      }
    };
  }

  @Override
  public void shutdownOutput() throws IOException {
    ChannelFuture f = channel.shutdownOutput().awaitUninterruptibly(); // shutdown(SHUT_WR)
    if (f.isSuccess()) {
      trace.call("shutdown(SHUT_WR)");
    } else {
      trace.failed("shutdown(SHUT_WR)", f.cause());
      throw new IOException(f.cause());
    }
  }

  @Override
  public void readTimeout(Duration t) {
    timeout = t;
  }

  @Override
  public void close() {
    if (channel.isOpen()) {
      trace.close();
    }
    channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
  }
}
