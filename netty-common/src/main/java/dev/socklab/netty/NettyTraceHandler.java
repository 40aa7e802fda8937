package dev.socklab.netty;

import dev.socklab.common.Trace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownEvent;

/**
 * {@code --trace} for a Netty channel: logs what the event loop does on the socket in the names of
 * the C calls (read, write, shutdown, close), like {@link Trace} does for blocking sockets. Put it
 * first in the pipeline so it sees the raw bytes. One instance per channel.
 */
public final class NettyTraceHandler extends ChannelDuplexHandler {
  private final Trace trace;

  /**
   * @param trace the connection's tracer (see {@link Trace#forConnection(String)})
   */
  public NettyTraceHandler(Trace trace) {
    this.trace = trace;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().parent() != null) { // accepted by us; not a connection we inherited
      trace.accept(ctx.channel().remoteAddress());
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf buf) {
      trace.read(
          buf.readableBytes(),
          ByteBufUtil.getBytes(
              buf, buf.readerIndex(), Math.min(buf.readableBytes(), Trace.DUMP_BYTES)),
          0);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      trace.read(-1, null, 0);
    } else if (evt instanceof ChannelOutputShutdownEvent) {
      trace.call("shutdown(SHUT_WR)"); // Netty tells once our FIN is sent: shutdownOutput() is done
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof ByteBuf buf && buf.isReadable()) {
      trace.write(
          ByteBufUtil.getBytes(
              buf, buf.readerIndex(), Math.min(buf.readableBytes(), Trace.DUMP_BYTES)),
          0,
          buf.readableBytes());
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    trace.close();
    super.close(ctx, promise);
  }
}
