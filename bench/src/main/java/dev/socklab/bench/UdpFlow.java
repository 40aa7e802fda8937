package dev.socklab.bench;

import dev.socklab.common.NetErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The datagrams of {@link UdpLoad}: sends up to {@code window} at a time, matches each reply to its
 * datagram by sequence number (replies may come in any order, twice, or never), verifies it, and
 * declares a datagram lost when {@code --timeout} passes without its reply. Everything runs on the
 * channel's event loop.
 *
 * <p>A reply to a datagram already answered counts as duplicated; a reply to one already declared
 * lost counts as late (no error: it stays lost, and the table suggests a longer timeout); a changed
 * or truncated reply as mismatched.
 */
final class UdpFlow extends ChannelInboundHandlerAdapter {
  // What became of each datagram of the last HISTORY sent.
  private static final byte OUT = 1;
  private static final byte ANSWERED = 2;
  private static final byte LOST = 3;

  private final int history; // a power of two, more than the window
  private final long[] seqAt;
  private final long[] sentAt;
  private final byte[] state;
  private final UdpLoad load;
  private final long timeoutNanos;
  private final Payload payload;
  private final byte[] received;

  private Channel channel;
  private RoundState round;
  private long quota; // datagrams to send, or Long.MAX_VALUE in a timed round
  private long interval; // open loop: ns between datagrams; 0 = closed loop
  private long firstDue;
  private long nextSeq; // next datagram to send
  private long oldest; // oldest datagram that may still be outstanding
  private int outstanding;
  private boolean stopping;
  private boolean armed; // an open-loop wake-up is scheduled
  private boolean done;

  /**
   * @param load the workload
   * @param timeoutNanos how long a datagram waits for its reply before it is lost, in ns
   */
  UdpFlow(UdpLoad load, long timeoutNanos) {
    this.load = load;
    this.timeoutNanos = timeoutNanos;
    this.history = Integer.highestOneBit(Math.max(4096, load.window() * 4) - 1) << 1;
    this.seqAt = new long[history];
    this.sentAt = new long[history];
    this.state = new byte[history];
    this.payload = new Payload(load.size(), 0);
    this.received = new byte[load.size()];
  }

  /**
   * Starts sending. Call on the channel's event loop.
   *
   * @param ch the connected datagram channel
   * @param r the round
   * @param count datagrams to send, or 0 in a timed round
   * @param intervalNanos open loop: ns between datagrams; 0 for a closed loop
   * @param due when the first datagram is due (ns)
   */
  void begin(Channel ch, RoundState r, long count, long intervalNanos, long due) {
    channel = ch;
    round = r;
    quota = count > 0 ? count : Long.MAX_VALUE;
    interval = intervalNanos;
    firstDue = due;
    armed = true;
    ch.eventLoop()
        .schedule(this::timer, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    expire();
  }

  // Sends what is due: in a closed loop, until `window` datagrams are outstanding; in an open loop,
  // every datagram whose time has come (window permitting).
  private void pump() {
    if (done) {
      return;
    }
    long now = System.nanoTime();
    if (round.over(now) || nextSeq >= quota) {
      stopping = true;
    }
    long due = interval == 0 ? Long.MAX_VALUE : (now - firstDue) / interval + 1;
    boolean wrote = false;
    while (!stopping && nextSeq < quota && nextSeq < due && outstanding < load.window()) {
      send(now);
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
    if (stopping && outstanding == 0) {
      finish();
      return;
    }
    if (interval > 0 && !stopping && !armed && nextSeq < quota && outstanding < load.window()) {
      armed = true;
      long wake = firstDue + nextSeq * interval - now;
      channel.eventLoop().schedule(this::timer, Math.max(0, wake), TimeUnit.NANOSECONDS);
    }
  }

  private void timer() {
    armed = false;
    pump();
  }

  private void send(long now) {
    long seq = nextSeq++;
    int i = (int) (seq & (history - 1));
    seqAt[i] = seq;
    sentAt[i] = now;
    state[i] = OUT;
    outstanding++;
    if (!round.over(now)) {
      round.sent.increment();
    }
    byte[] m = payload.message(seq);
    // send(2) on the connected socket: one datagram, all of it or nothing.
    channel.write(channel.alloc().directBuffer(m.length).writeBytes(m));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
    try {
      if (!done && round != null) {
        reply(in);
      }
    } finally {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  private void reply(ByteBuf in) {
    long now = System.nanoTime();
    if (in.readableBytes() != received.length) {
      round.errors.mismatched.incrementAndGet();
      round.errors.note(
          "a reply of " + in.readableBytes() + " bytes to datagrams of " + received.length);
      return;
    }
    in.getBytes(in.readerIndex(), received);
    long seq = ByteBuffer.wrap(received).getLong(0);
    // Checked against itself: the checksum and the connection number say whether it is intact.
    String wrong = payload.verify(received, seq);
    if (wrong != null) {
      round.errors.mismatched.incrementAndGet();
      round.errors.note("datagram " + seq + ": " + wrong);
      return;
    }
    int i = (int) (seq & (history - 1));
    if (seq < 0 || seq >= nextSeq) {
      round.errors.duplicated.incrementAndGet();
      round.errors.note("a reply to datagram " + seq + ", never sent");
      return;
    }
    if (seqAt[i] != seq || state[i] == LOST) {
      round.errors.late.incrementAndGet(); // already counted lost (or too old to remember)
      return;
    }
    if (state[i] == ANSWERED) {
      round.errors.duplicated.incrementAndGet();
      round.errors.note("datagram " + seq + " was answered twice");
      return;
    }
    state[i] = ANSWERED;
    outstanding--;
    // Open loop: from when the datagram was due, not when it could be sent (coordinated omission).
    long from = interval == 0 ? sentAt[i] : firstDue + seq * interval;
    round.complete(channel.eventLoop(), now, now - from);
    pump();
  }

  // Declares lost what has waited longer than the timeout, so the window moves on; every tenth of
  // the timeout.
  private void expire() {
    if (done) {
      return;
    }
    long now = System.nanoTime();
    boolean freed = false;
    for (; oldest < nextSeq; oldest++) {
      int i = (int) (oldest & (history - 1));
      if (state[i] != OUT) {
        continue;
      }
      if (now - sentAt[i] < timeoutNanos) {
        break;
      }
      state[i] = LOST;
      outstanding--;
      round.errors.lost.incrementAndGet();
      freed = true;
    }
    if (freed) {
      pump();
    }
    channel
        .eventLoop()
        .schedule(this::expire, Math.max(timeoutNanos / 10, 1_000_000), TimeUnit.NANOSECONDS);
  }

  /**
   * Ends the flow, counting what is still outstanding as lost.
   *
   * @param why why, for the failure line
   */
  void giveUp(String why) {
    if (!done && outstanding > 0) {
      round.errors.lost.addAndGet(outstanding);
      round.errors.note(why);
    }
    finish();
  }

  private void finish() {
    if (!done) {
      done = true;
      round.finish();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A connected UDP socket reports an ICMP port unreachable as ECONNREFUSED on the next call
    // (man 7 udp); the datagrams then time out as lost, and this says why.
    if (round != null) {
      round.errors.note(
          NetErrors.is(cause, NetErrors.Errno.ECONNREFUSED)
              ? "ECONNREFUSED: nothing listens on that UDP port (ICMP port unreachable)"
              : Errors.cause(cause));
    }
  }
}
