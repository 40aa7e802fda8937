package dev.socklab.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * One member of {@link ChatLoad}: sends tagged lines and verifies every tagged line it receives.
 * Lines come whole from a {@code LineBasedFrameDecoder} before it; everything runs on the member's
 * event loop, except {@link #deliveredToAll}, which the last receiver of a line calls.
 *
 * <p>A receiver expects each sender's lines once and in order (TCP keeps order, and so must a
 * relay): a gap counts the missing lines as lost, a line seen before as duplicated, the member's
 * own line coming back as duplicated (the relay's loop did not skip the sender), a bad checksum as
 * mismatched. Lines without the tag (server notices such as {@code * guest1 joined}) are ignored,
 * and a relay's prefix before the tag ({@code [guest1] }) is allowed.
 */
final class ChatMember extends ChannelInboundHandlerAdapter {
  private final ChatLoad.Room room;
  private final int id;
  private final int others;
  private final Tag tag;
  private byte[] line; // the line being read
  private final long[] expected; // receiver: next sequence number due from each sender
  private final boolean[] helloFrom;
  private final AtomicLong delivered = new AtomicLong(); // sender: lines every other member got

  private Channel channel;
  private RoundState round;
  private int hellos;
  private long quota; // lines to send, or Long.MAX_VALUE in a timed round
  private Pace pace;
  private long nextSeq;
  private boolean stopping;
  private boolean finished; // told the round this member is done
  private boolean accounted; // the round is over: nothing received counts any more
  private String lastNotice; // the server's last untagged line, for a failure message

  /**
   * @param room what the round's members share
   * @param id the member's number, 0 to clients-1
   */
  ChatMember(ChatLoad.Room room, int id) {
    this.room = room;
    this.id = id;
    this.others = room.members.length - 1;
    this.tag = new Tag(room.id, room.load.size());
    this.line = new byte[room.load.size() + 64];
    this.expected = new long[room.members.length];
    this.helloFrom = new boolean[room.members.length];
  }

  /**
   * @return the member's number
   */
  int id() {
    return id;
  }

  /**
   * @return how many other members' hellos this one has seen (read from another thread: a hint)
   */
  int hellosSeen() {
    return hellos;
  }

  /**
   * @return the server's last line without a tag, or null
   */
  String lastNotice() {
    return lastNotice;
  }

  /**
   * Sends a hello now and every {@value ChatLoad#HELLO_EVERY_MS} ms until every member has seen
   * every other's, or the connection is closed. Call on the channel's event loop.
   *
   * @param ch the connected channel
   */
  void hello(Channel ch) {
    channel = ch;
    if (room.synced.getCount() == 0 || !ch.isActive() || accounted) {
      return;
    }
    ch.writeAndFlush(ch.alloc().buffer().writeBytes(tag.hello(id)));
    ch.eventLoop().schedule(() -> hello(ch), ChatLoad.HELLO_EVERY_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts sending. Call on the channel's event loop.
   *
   * @param r the round
   * @param count lines to send, or 0 in a timed round
   * @param intervalNanos open loop: ns between this member's lines; 0 for a closed loop
   * @param due when the first line is due (ns)
   */
  void begin(RoundState r, long count, long intervalNanos, long due) {
    round = r;
    quota = count > 0 ? count : Long.MAX_VALUE;
    pace = new Pace(intervalNanos, due, 0, channel.eventLoop(), this::pump);
    pace.start();
  }

  // Sends what is due: in a closed loop, until `window` lines are not yet delivered to all; in an
  // open loop, every line whose time has come (in-flight cap permitting).
  private void pump() {
    if (finished || round == null) {
      return;
    }
    long now = System.nanoTime();
    if (round.over(now) || nextSeq >= quota || room.cutOff.get() != null) {
      stopping = true;
    }
    long due = pace.dueBy(now);
    int cap = room.cap();
    boolean wrote = false;
    while (!stopping && nextSeq < quota && nextSeq < due && nextSeq - delivered.get() < cap) {
      send(now);
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
    if (stopping && delivered.get() == nextSeq) {
      finished = true;
      round.finish();
      return;
    }
    if (!stopping && nextSeq < quota && nextSeq - delivered.get() < cap) {
      pace.wakeFor(nextSeq, now);
    }
  }

  private void send(long now) {
    long seq = nextSeq++;
    // Open loop: the tag carries when the line was due, so latency counts from then.
    long stamp = pace.from(seq, now);
    room.sent(id, seq);
    if (!round.over(now)) {
      round.sent.add(others); // each line is owed to every other member
    }
    byte[] b = tag.data(id, seq, stamp - room.base);
    channel.write(channel.alloc().directBuffer(b.length).writeBytes(b), channel.voidPromise());
  }

  /**
   * Every other member got (or gave up on) this member's oldest line in flight: the window moves.
   * Thread-safe: called on the last receiver's event loop.
   */
  void deliveredToAll() {
    delivered.incrementAndGet();
    if (channel.eventLoop().inEventLoop()) {
      pump();
    } else {
      channel.eventLoop().execute(this::pump);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      int n = frame.readableBytes();
      if (n > line.length) {
        line = new byte[n]; // a relay's prefix, or a long notice: at most the decoder's 64 KiB
      }
      frame.getBytes(frame.readerIndex(), line, 0, n);
      if (!accounted) {
        received(line, n);
      }
    } finally {
      frame.release();
    }
  }

  // One whole line of n bytes without its \n.
  private void received(byte[] b, int n) {
    int at = Tag.find(b, n);
    if (at < 0) {
      lastNotice = new String(b, 0, Math.min(n, 200), UTF_8);
      return;
    }
    Tag.Kind kind = tag.parse(b, at, n - at);
    if (kind == Tag.Kind.OTHER_ROUND) {
      return;
    }
    int from = tag.sender;
    if (kind == Tag.Kind.HELLO) {
      if (from < helloFrom.length && from != id && !helloFrom[from]) {
        helloFrom[from] = true;
        if (++hellos == others) {
          room.synced.countDown();
        }
      }
      return;
    }
    RoundState r = room.round;
    if (r == null) {
      return; // a data line of this room before it began: impossible; nothing to count it in
    }
    long now = System.nanoTime();
    if (kind == Tag.Kind.BAD || from < 0 || from >= expected.length) {
      r.errors.mismatched.incrementAndGet();
      r.errors.note("member " + id + " got a changed line: " + tag.problem);
      // If the numbers still read as the line due, it is that line (changed), not a gap later.
      if (from >= 0 && from < expected.length && tag.seq == expected[from] && from != id) {
        room.arrived(from, expected[from]++);
      }
      return;
    }
    long seq = tag.seq;
    if (from == id) {
      r.errors.duplicated.incrementAndGet();
      r.errors.note(
          "member "
              + id
              + " got its own line "
              + seq
              + " back (the relay sends to the sender too)");
      return;
    }
    long due = expected[from];
    if (seq < due) {
      r.errors.duplicated.incrementAndGet();
      r.errors.note("member " + id + " got line " + seq + " of member " + from + " twice");
      return;
    }
    if (seq - due >= room.cap()) {
      // A sender never has more than the cap in flight: the number itself is wrong.
      r.errors.mismatched.incrementAndGet();
      r.errors.note("member " + id + " got line " + seq + " of member " + from + ", never sent");
      return;
    }
    if (seq > due) {
      r.errors.lost.addAndGet(seq - due);
      r.errors.note(
          "member "
              + id
              + " never got line "
              + due
              + " of member "
              + from
              + " (line "
              + seq
              + " came next)");
      for (long s = due; s < seq; s++) {
        room.arrived(from, s); // given up: it must not hold the sender's window forever
      }
    }
    expected[from] = seq + 1;
    r.complete(channel.eventLoop(), now, now - (room.base + tag.time));
    room.arrived(from, seq);
  }

  /**
   * Stops sending; the round is over. Call on the channel's event loop.
   *
   * @return lines this member sent
   */
  long stopSending() {
    stopping = true;
    finished = true;
    return nextSeq;
  }

  /**
   * Counts, as lost, every line sent that this member never got, and ignores what comes after. Call
   * on the channel's event loop after every member's {@link #stopSending}.
   *
   * @param sent lines each member sent, by member number
   * @return the lines this member never got
   */
  long account(long[] sent) {
    accounted = true;
    if (round == null || !channel.isActive()) {
      return 0; // a member cut off is counted as closed, not as everything it missed
    }
    long missing = 0;
    for (int j = 0; j < sent.length; j++) {
      long tail = j == id ? 0 : sent[j] - expected[j];
      if (tail > 0) {
        missing += tail;
        round.errors.note(
            "member " + id + " never got member " + j + "'s lines " + expected[j] + " on");
      }
    }
    round.errors.lost.addAndGet(missing);
    return missing;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cutOff("was disconnected by the server");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      return; // an untagged notice longer than 64 KiB: not ours, and the decoder dropped it
    }
    cutOff("failed: " + Errors.cause(cause));
    ctx.close();
  }

  private void cutOff(String what) {
    if (accounted) {
      return;
    }
    accounted = true;
    String why =
        "member " + id + " " + what + (lastNotice == null ? "" : " (it said: " + lastNotice + ")");
    room.cutOff.compareAndSet(null, why);
    RoundState r = room.round;
    if (r != null) {
      r.errors.closed.incrementAndGet();
      r.errors.note(why);
    }
  }

  /**
   * The tag every line carries: printable ASCII, fixed width, so a receiver finds it after any
   * prefix a relay adds and reads it without a parser. {@code n} is the line size, {@code \n}
   * included.
   *
   * <pre>
   *  offset  size  field
   *  0       4     "~SLB"    the magic token
   *  5       6     round     hex: the round's random id (lines of another round are ignored)
   *  12      4     sender    hex: the member's number
   *  17      8     seq       hex: the line's number, from 0 for each member (or "hello")
   *  26      12    time      hex: when it was sent (open loop: due), ns since the round's base
   *  39      8     crc       hex: CRC-32C of every other byte of the line before the \n
   *  47      n-48  filler    letters a-z
   *  n-1     1     "\n"
   * </pre>
   *
   * (Fields are separated by one space.) Not thread-safe: one per member.
   */
  static final class Tag {
    /** Smallest line: the tag's fields and the {@code \n}, in bytes. */
    static final int MIN_SIZE = 48;

    private static final byte[] MAGIC = "~SLB ".getBytes(US_ASCII);
    private static final int HEAD = 47;

    /** What a tagged line is. */
    enum Kind {
      HELLO,
      DATA,
      BAD,
      OTHER_ROUND
    }

    // What parse() read.
    int sender;
    long seq;
    long time;
    String problem;

    private final String round;
    private final int size;
    private final byte[] out;
    private final CRC32C crc = new CRC32C();

    /**
     * @param round the round's id, 6 hex digits
     * @param size line size in bytes with the {@code \n}, {@value #MIN_SIZE} or more
     */
    Tag(String round, int size) {
      this.round = round;
      this.size = size;
      this.out = new byte[size];
      String head = "~SLB " + round + " ";
      head.getBytes(0, head.length(), out, 0);
      for (int i = HEAD; i < size - 1; i++) {
        out[i] = (byte) ('a' + i % 26);
      }
      out[size - 1] = '\n';
    }

    /**
     * @param sender the member
     * @return its hello line: {@code ~SLB round sender hello\n}; a new array
     */
    byte[] hello(int sender) {
      return String.format("~SLB %s %04x hello\n", round, sender).getBytes(US_ASCII);
    }

    /**
     * @param sender the member
     * @param seq the line's number
     * @param time the send (or due) time, ns since the round's base
     * @return the line, {@code \n} included; the array is reused by the next call
     */
    byte[] data(int sender, long seq, long time) {
      hex(out, 12, 4, sender);
      out[16] = ' ';
      hex(out, 17, 8, seq);
      out[25] = ' ';
      hex(out, 26, 12, time);
      out[38] = ' ';
      hex(out, 39, 8, checksum(out, 0) & 0xffffffffL);
      return out;
    }

    /**
     * @param b a line without its {@code \n}
     * @param length its length in bytes
     * @return where the tag starts, or -1 if the line has none
     */
    static int find(byte[] b, int length) {
      outer:
      for (int i = 0; i + MAGIC.length <= length; i++) {
        for (int k = 0; k < MAGIC.length; k++) {
          if (b[i + k] != MAGIC[k]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    /**
     * Reads the tag at {@code b[at]} into {@link #sender}, {@link #seq}, {@link #time} and, if it
     * is wrong, {@link #problem}.
     *
     * @param b the line without its {@code \n}
     * @param at where the tag starts
     * @param length bytes from the tag to the line's end
     * @return what the line is
     */
    Kind parse(byte[] b, int at, int length) {
      if (length < 17 || !new String(b, at + 5, 6, US_ASCII).equals(round)) {
        return Kind.OTHER_ROUND;
      }
      sender = (int) unhex(b, at + 12, 4);
      seq = -1;
      if (length == 22 && new String(b, at + 17, 5, US_ASCII).equals("hello")) {
        return sender < 0 ? Kind.BAD : Kind.HELLO;
      }
      if (length != size - 1) {
        problem = "a line of " + (length + 1) + " bytes from the tag on, not " + size;
        return Kind.BAD;
      }
      seq = unhex(b, at + 17, 8);
      time = unhex(b, at + 26, 12);
      long sum = unhex(b, at + 39, 8);
      if (sender < 0 || seq < 0 || time < 0 || sum != (checksum(b, at) & 0xffffffffL)) {
        problem = "checksum mismatch: " + new String(b, at, Math.min(length, 80), US_ASCII);
        return Kind.BAD;
      }
      return Kind.DATA;
    }

    // CRC-32C of the tag before the crc field, and of the filler.
    private int checksum(byte[] b, int at) {
      crc.reset();
      crc.update(b, at, 39);
      crc.update(b, at + HEAD, size - 1 - HEAD);
      return (int) crc.getValue();
    }

    private static void hex(byte[] b, int at, int digits, long v) {
      for (int i = digits - 1; i >= 0; i--) {
        b[at + i] = (byte) Character.forDigit((int) (v & 15), 16);
        v >>>= 4;
      }
    }

    // -1 if a byte is not a hex digit.
    private static long unhex(byte[] b, int at, int digits) {
      long v = 0;
      for (int i = 0; i < digits; i++) {
        int d = Character.digit(b[at + i], 16);
        if (d < 0) {
          return -1;
        }
        v = v << 4 | d;
      }
      return v;
    }
  }
}
