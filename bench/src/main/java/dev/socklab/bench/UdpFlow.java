package dev.socklab.bench;

import dev.socklab.common.NetErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
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
  // What became of each of the last `history` datagrams answered or lost: a late reply is told
  // from a duplicate by it.
  private static final byte ANSWERED = 1;
  private static final byte LOST = 2;

  private final int history; // a power of two
  private final long[] seqAt;
  private final byte[] fate;
  // The datagrams outstanding (at most the window), by sequence number, and in the order sent: a
  // lost one may wait a whole --timeout while thousands of others come and go.
  private final Map<Long, Long> sentAt = new HashMap<>();
  private final ArrayDeque<Long> order = new ArrayDeque<>();
  private final UdpLoad load;
  private final long timeoutNanos;
  private final Payload payload;
  private final byte[] received;

  private Channel channel;
  private RoundState round;
  private long quota; // datagrams to send, or Long.MAX_VALUE in a timed round
  private Pace pace;
  private long nextSeq; // next datagram to send
  private boolean stopping;
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
    this.fate = new byte[history];
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
    pace = new Pace(intervalNanos, due, 0, ch.eventLoop(), this::pump);
    pace.start();
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
    long due = pace.dueBy(now);
    boolean wrote = false;
    while (!stopping && nextSeq < quota && nextSeq < due && sentAt.size() < load.window()) {
      send(now);
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
    if (stopping && sentAt.isEmpty()) {
      finish();
      return;
    }
    if (!stopping && nextSeq < quota && sentAt.size() < load.window()) {
      pace.wakeFor(nextSeq, now);
    }
  }

  private void send(long now) {
    long seq = nextSeq++;
    sentAt.put(seq, now);
    order.add(seq);
    if (!round.over(now)) {
      round.sent.increment();
    }
    byte[] m = payload.message(seq);
    // send(2) on the connected socket: one datagram, all of it or nothing.
    channel.write(channel.alloc().directBuffer(m.length).writeBytes(m), channel.voidPromise());
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
    if (seq < 0 || seq >= nextSeq) {
      round.errors.duplicated.incrementAndGet();
      round.errors.note("a reply to datagram " + seq + ", never sent");
      return;
    }
    Long sent = sentAt.remove(seq);
    if (sent == null) {
      int i = (int) (seq & (history - 1));
      if (seqAt[i] == seq && fate[i] == ANSWERED) {
        round.errors.duplicated.incrementAndGet();
        round.errors.note("datagram " + seq + " was answered twice");
      } else {
        round.errors.late.incrementAndGet(); // already counted lost (or too old to remember)
      }
      return;
    }
    remember(seq, ANSWERED);
    // Open loop: from when the datagram was due, not when it could be sent (coordinated omission).
    long from = pace.from(seq, sent);
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
    // Oldest first: once one is young enough, so are all sent after it.
    for (Long seq; (seq = order.peek()) != null; order.poll()) {
      Long sent = sentAt.get(seq);
      if (sent == null) {
        continue; // answered
      }
      if (now - sent < timeoutNanos) {
        break;
      }
      sentAt.remove(seq);
      remember(seq, LOST);
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

  private void remember(long seq, byte what) {
    int i = (int) (seq & (history - 1));
    seqAt[i] = seq;
    fate[i] = what;
  }

  /**
   * Ends the flow, counting what is still outstanding as lost.
   *
   * @param why why, for the failure line
   */
  void giveUp(String why) {
    if (!done && !sentAt.isEmpty()) {
      round.errors.lost.addAndGet(sentAt.size());
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
