package dev.socklab.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * One connection of {@link EchoLoad}: sends messages, reassembles the echoed bytes into messages (a
 * stream has no message boundaries: one read(2) may return half a message or three), verifies each
 * and records its latency. Everything runs on the connection's event loop.
 *
 * <p>A connection lives through every round of its target at one sweep point ({@link
 * EchoLoad.Open}): it goes idle when a round's last reply is in and starts again at the next {@link
 * #begin}, its message numbers going on where they stopped. So a round measures round trips, not
 * connect(2), and the code that sends and verifies stays compiled as it was (a new connection per
 * round made the JIT discard and recompile it at every round's start).
 */
final class EchoConnection extends ChannelInboundHandlerAdapter {
  private final EchoLoad load;
  private final int id;
  private final long timeoutNanos;
  private final Payload payload;
  private final byte[] received;
  private final long[] sentAt;

  private Channel channel;
  private RoundState round;
  private long quota; // send no message numbered this or higher this round
  private Pace pace;
  private long nextSeq; // next message to send
  private long nextReply; // next message expected back
  private int filled; // bytes of message nextReply received so far
  private long lastProgress;
  private boolean stopping;
  private boolean done = true; // this round's part is over (or no round has begun)
  private int generation; // rounds begun: a watchdog of an earlier round stops itself
  private long stray; // bytes that arrived between rounds, when nothing was in flight
  private boolean gaveUp; // closed by us: its loss was counted in the round that gave up

  /**
   * @param load the workload
   * @param id the connection's number in the round, 0 or more
   * @param timeoutNanos the longest wait for a reply, in ns
   */
  EchoConnection(EchoLoad load, int id, long timeoutNanos) {
    this.load = load;
    this.id = id;
    this.timeoutNanos = timeoutNanos;
    this.payload = new Payload(load.size(), id);
    this.received = new byte[load.size()];
    this.sentAt = new long[load.inFlight()];
  }

  /**
   * @return the connection's number in the round
   */
  int id() {
    return id;
  }

  /**
   * Starts a round: sends from the next message number on. Call on the channel's event loop. A
   * connection the server closed since the last round ends its part at once, counted as closed.
   *
   * @param ch the connected channel
   * @param r the round
   * @param count messages to send this round, or 0 in a timed round
   * @param intervalNanos open loop: ns between this connection's messages; 0 for a closed loop
   * @param due when this round's first message is due (ns)
   */
  void begin(Channel ch, RoundState r, long count, long intervalNanos, long due) {
    channel = ch;
    round = r;
    done = false;
    stopping = false;
    generation++;
    if (gaveUp) {
      finish(); // sits this round out
      return;
    }
    if (!ch.isActive()) {
      round.errors.closed.incrementAndGet();
      round.errors.note("connection " + id + " was closed by the server between rounds");
      finish();
      return;
    }
    if (stray > 0) {
      round.errors.duplicated.incrementAndGet();
      round.errors.note("connection " + id + ": " + stray + " bytes arrived that nobody sent");
      giveUp(null);
      return;
    }
    quota = count > 0 ? nextSeq + count : Long.MAX_VALUE;
    pace = new Pace(intervalNanos, due, nextSeq, ch.eventLoop(), this::pump);
    lastProgress = due;
    pace.start();
    watchdog(generation);
  }

  // Sends what is due: in a closed loop, until `pipeline` messages are in flight; in an open loop,
  // every message whose time has come (in-flight cap permitting).
  private void pump() {
    if (done) {
      return;
    }
    long now = System.nanoTime();
    if (round.over(now) || nextSeq >= quota) {
      stopping = true;
    }
    long due = pace.dueBy(now);
    int cap = sentAt.length;
    boolean wrote = false;
    while (!stopping && nextSeq < quota && nextSeq < due && nextSeq - nextReply < cap) {
      send(now);
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
    if (stopping && nextSeq == nextReply) {
      finish();
      return;
    }
    if (!stopping && nextSeq < quota && nextSeq - nextReply < cap) {
      pace.wakeFor(nextSeq, now); // open loop only; a reply calls pump() when the cap holds
    }
  }

  private void send(long now) {
    long seq = nextSeq++;
    sentAt[(int) (seq % sentAt.length)] = now;
    if (!round.over(now)) {
      round.sent.increment();
    }
    byte[] m = payload.message(seq);
    int pieces = load.splitWrites();
    if (pieces == 1) {
      // The void promise: no future a message, failures reach exceptionCaught.
      channel.write(channel.alloc().directBuffer(m.length).writeBytes(m), channel.voidPromise());
      return;
    }
    // --split-writes: each piece is its own write(2), as a program calling write() per field
    // would make them; with Nagle on, the second waits for the ACK of the first.
    int step = (m.length + pieces - 1) / pieces;
    for (int off = 0; off < m.length; off += step) {
      int n = Math.min(step, m.length - off);
      channel.writeAndFlush(
          channel.alloc().directBuffer(n).writeBytes(m, off, n), channel.voidPromise());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (done) {
        stray += in.readableBytes(); // the next round reports them
        return;
      }
      while (in.isReadable() && !done) {
        if (nextReply == nextSeq) {
          round.errors.duplicated.incrementAndGet();
          round.errors.note("connection " + id + ": bytes arrived that nobody sent");
          giveUp(null);
          return;
        }
        int n = Math.min(in.readableBytes(), received.length - filled);
        in.readBytes(received, filled, n);
        filled += n;
        if (filled == received.length) {
          filled = 0;
          reply();
        }
      }
    } finally {
      in.release();
    }
  }

  private void reply() {
    long seq = nextReply;
    String wrong = payload.verify(received, seq);
    if (wrong != null) {
      round.errors.mismatched.incrementAndGet();
      round.errors.note("connection " + id + ", message " + seq + ": " + wrong);
      giveUp(null); // the stream is out of step from here on: nothing after it can be trusted
      return;
    }
    nextReply++;
    long now = System.nanoTime();
    lastProgress = now;
    // Open loop: from when the message was due, not when it could be sent (coordinated omission).
    long from = pace.from(seq, sentAt[(int) (seq % sentAt.length)]);
    round.complete(channel.eventLoop(), now, now - from);
    pump();
  }

  // Gives up on a connection whose replies stopped coming; runs until its round's part is over.
  private void watchdog(int of) {
    if (done || of != generation) {
      return;
    }
    long now = System.nanoTime();
    if (nextSeq > nextReply && now - lastProgress > timeoutNanos) {
      giveUp("no reply for " + TimeUnit.NANOSECONDS.toMillis(now - lastProgress) + " ms");
      return;
    }
    channel
        .eventLoop()
        .schedule(() -> watchdog(of), Math.max(timeoutNanos / 4, 1_000_000), TimeUnit.NANOSECONDS);
  }

  /**
   * Ends this connection's part of the round, counting what is still unanswered as lost.
   *
   * @param why why, for the failure line; null if already noted
   */
  void giveUp(String why) {
    if (done) {
      return;
    }
    long unanswered = nextSeq - nextReply;
    if (unanswered > 0) {
      round.errors.lost.addAndGet(unanswered);
      if (why != null) {
        round.errors.note("connection " + id + ": " + why);
      }
    }
    finish();
    gaveUp = true;
    channel.close(); // its stream is out of step or stuck: no later round can use it
  }

  private void finish() {
    if (!done) {
      done = true;
      round.finish();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (round != null && !done) {
      round.errors.closed.incrementAndGet();
      round.errors.note("connection " + id + " was closed by the server");
      giveUp(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (round != null && !done) {
      round.errors.closed.incrementAndGet();
      round.errors.note("connection " + id + ": " + Errors.cause(cause));
      giveUp(null);
    }
    ctx.close();
  }
}
