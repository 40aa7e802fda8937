package dev.socklab.bench;

import dev.socklab.common.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection of {@link ConnsLoad}: as soon as connect(2) completes it sends one message, waits
 * for its echo (which may come in pieces), verifies it, and records the time since the connect
 * began. It then stays open; if the server closes it before bench does, that counts. Runs on the
 * connection's event loop.
 */
final class ConnsConnection extends ChannelInboundHandlerAdapter {
  private final int id;
  private final RoundState round;
  private final AtomicBoolean closing;
  private final Payload payload;
  private final byte[] received;
  private final long connectStart;
  private int filled;
  private boolean done; // verified, failed or given up: told the round

  /**
   * Made by {@link Connections#open} just before this connection's connect(2), so its creation time
   * is when the connect began.
   *
   * @param load the workload
   * @param id the connection's number, 0 or more
   * @param round the round
   * @param closing set once bench closes the connections itself
   */
  ConnsConnection(ConnsLoad load, int id, RoundState round, AtomicBoolean closing) {
    this.connectStart = System.nanoTime();
    this.id = id;
    this.round = round;
    this.closing = closing;
    this.payload = new Payload(load.size(), id);
    this.received = new byte[load.size()];
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    byte[] m = payload.message(0);
    ctx.writeAndFlush(ctx.alloc().directBuffer(m.length).writeBytes(m));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (done) {
        if (in.isReadable() && !closing.get()) {
          round.errors.duplicated.incrementAndGet();
          round.errors.note("connection " + id + ": bytes arrived after the echo");
        }
        return;
      }
      int n = Math.min(in.readableBytes(), received.length - filled);
      in.readBytes(received, filled, n);
      filled += n;
      if (filled < received.length) {
        return;
      }
      String wrong = payload.verify(received, 0);
      if (wrong != null) {
        round.errors.mismatched.incrementAndGet();
        round.errors.note("connection " + id + ": " + wrong);
      } else {
        long now = System.nanoTime();
        round.complete(ctx.channel().eventLoop(), now, now - connectStart);
      }
      finish();
    } finally {
      in.release();
    }
  }

  /**
   * No echo within the timeout: counts it as lost. Call on the channel's event loop.
   *
   * @param timeout the timeout that passed
   */
  void giveUp(Duration timeout) {
    if (!done) {
      round.errors.lost.incrementAndGet();
      round.errors.note("connection " + id + ": no echo in " + Durations.format(timeout));
      finish();
    }
  }

  private void finish() {
    if (!done) {
      done = true;
      round.finish();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!closing.get()) {
      round.errors.closed.incrementAndGet();
      round.errors.note("connection " + id + " was closed by the server");
      finish();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!closing.get()) {
      round.errors.note("connection " + id + ": " + Errors.cause(cause));
    }
    ctx.close(); // channelInactive counts it
  }
}
