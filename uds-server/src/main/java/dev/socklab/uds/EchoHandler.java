package dev.socklab.uds;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo (RFC 862) on a Netty channel, with back-pressure and half-close done right.
 *
 * <p>Back-pressure: what a client sends is written back; while the channel is not writable (more
 * than the high water mark is queued because the client does not read), reading from it stops
 * ({@code autoRead} off), so its socket buffer fills and TCP or AF_UNIX flow control stops the
 * client. Reading resumes when the queue drains. An echo that keeps reading regardless (as Netty's
 * own echo example does) lets one client grow the server's memory without bound.
 *
 * <p>Half-close: with {@code ALLOW_HALF_CLOSURE}, the client's shutdown(SHUT_WR) is an event; the
 * handler flushes what it owes, then shuts down its own output and closes.
 */
@Sharable
final class EchoHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);

  final LongAdder bytes = new LongAdder();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof io.netty.buffer.ByteBuf b) {
      bytes.add(b.readableBytes());
    }
    ctx.write(msg, ctx.voidPromise()); // the same buffer goes back: no copy
    if (!ctx.channel().isWritable()) {
      ctx.flush();
      if (!ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(false); // stop reading until the client reads
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(true); // drained below the low water mark: read again
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      // EOF: everything read has been written; once it is flushed, send our FIN and close.
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              f -> {
                if (ctx.channel() instanceof DuplexChannel d) {
                  d.shutdownOutput().addListener(ChannelFutureListener.CLOSE);
                } else {
                  ctx.close();
                }
              });
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String what =
        cause instanceof IOException io && dev.socklab.common.NetErrors.isReset(io)
            ? "reset by peer"
            : cause.toString();
    log.info("{} {}", ctx.channel().remoteAddress(), what);
    ctx.close();
  }
}
