package dev.socklab.bench;

import dev.socklab.common.Durations;
import dev.socklab.common.UsageError;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench chat}: members of a line-based chat relay, each line to every other member
 * (socklab's chat-server, any Beej-style select() chat, {@code ncat --broker}). Each member is a
 * {@link ChatMember}; its lines carry a {@link ChatMember.Tag} tag that receivers verify.
 *
 * <p>A round: every member connects, then sends a hello line every {@value #HELLO_EVERY_MS} ms
 * until every member has seen every other's (a server registers a connection some time after
 * connect(2) returns, and a relay forwards only to members it already has); then lines flow, then a
 * drain of up to {@code --timeout} lets the last lines arrive. At the end every line must have
 * reached every other member exactly once: the shortfall is lost.
 *
 * <p>Closed loop (no {@code rate}): a member keeps at most {@code window} lines that have not yet
 * reached every other member. Open loop: {@code rate} lines per second over all members, each timed
 * from when it was due (the in-flight cap then only bounds memory). Throughput counts deliveries:
 * one line reaching one other member.
 *
 * @param clients members, 2 to {@value #MAX_CLIENTS}
 * @param size line size in bytes with its {@code \n}, {@value ChatMember.Tag#MIN_SIZE} to {@value
 *     #MAX_SIZE} (socklab's chat-server drops lines over 4096 bytes: {@code --max-line})
 * @param rate lines per second over all members; 0 for a closed loop
 * @param window lines in flight per member, 1 or more; 0 means {@value #CLOSED_LOOP_WINDOW} in a
 *     closed loop and {@value EchoLoad#OPEN_LOOP_IN_FLIGHT} in an open one
 */
record ChatLoad(int clients, int size, long rate, int window) implements Load {
  /** Most members: each keeps a sequence number per other member (clients² longs). */
  static final int MAX_CLIENTS = 2000;

  /** Longest line: socklab's chat-server's default {@code --max-line} (terminator not counted). */
  static final int MAX_SIZE = 4096;

  /** The default window of a closed loop, in lines. */
  static final int CLOSED_LOOP_WINDOW = 16;

  /** Time between a member's hello lines until every member has seen every other's, in ms. */
  static final int HELLO_EVERY_MS = 50;

  /**
   * @throws UsageError if a value is out of range
   */
  ChatLoad {
    EchoLoad.check("clients", clients, 2, MAX_CLIENTS);
    EchoLoad.check("size", size, ChatMember.Tag.MIN_SIZE, MAX_SIZE);
    EchoLoad.check("rate", rate, 0, 100_000_000);
    EchoLoad.check("window", window, 0, 1 << 16);
  }

  @Override
  public String unit() {
    return "deliveries/s";
  }

  @Override
  public String describe() {
    String model =
        rate == 0 ? "closed loop, window " + inFlight() : "open loop at " + rate + " lines/s";
    return "clients=" + clients + " size=" + size + " " + model;
  }

  @Override
  public Load with(String parameter, long value) {
    return switch (parameter) {
      case "clients" -> new ChatLoad((int) value, size, rate, window);
      case "size" -> new ChatLoad(clients, (int) value, rate, window);
      case "rate" -> new ChatLoad(clients, size, value, window);
      case "window" -> new ChatLoad(clients, size, rate, (int) value);
      default ->
          throw new UsageError(
              "bench chat cannot sweep '" + parameter + "': clients, size, rate or window");
    };
  }

  /**
   * @return lines in flight per member, 1 or more
   */
  int inFlight() {
    return window > 0 ? window : rate == 0 ? CLOSED_LOOP_WINDOW : EchoLoad.OPEN_LOOP_IN_FLIGHT;
  }

  /**
   * {@inheritDoc}
   *
   * <p>If the members do not all see each other's hello within {@code --timeout} (the server is not
   * a relay, or not one that sends to every other member, or it refuses members), the round fails
   * with one line lost and says so.
   */
  @Override
  public Round run(Session session, BenchTarget target, Budget budget) throws InterruptedException {
    Room room = new Room(this);
    Errors connectErrors = new Errors();
    try (Connections c =
        Connections.open(session, target, clients, true, room::pipeline, connectErrors)) {
      List<Channel> channels = c.channels();
      if (channels.size() < clients) {
        // A room with members missing cannot deliver to them: the connect errors are the result.
        RoundState failed = new RoundState(System.nanoTime(), budget, 0, session);
        failed.errors.add(connectErrors);
        return failed.result();
      }
      long timeout = session.timeout().toNanos();
      for (Channel ch : channels) {
        ChatMember m = ch.pipeline().get(ChatMember.class);
        ch.eventLoop().execute(() -> m.hello(ch));
      }
      if (!room.synced.await(timeout, TimeUnit.NANOSECONDS)) {
        // Not a result, and not the end of the run either: other targets are still measured.
        RoundState failed = new RoundState(System.nanoTime(), budget, 0, session);
        failed.errors.unsynced.incrementAndGet();
        failed.errors.note(
            "after "
                + Durations.format(session.timeout())
                + " "
                + room.helloShortfall()
                + ": is it a chat relay that sends each line to every other member?");
        return failed.result();
      }
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      RoundState round = new RoundState(start, budget, clients, session);
      round.errors.add(connectErrors);
      room.round = round;
      // --count counts deliveries: each line is delivered clients-1 times.
      long quota = budget.timed() ? 0 : Math.max(1, budget.count() / clients / (clients - 1));
      long interval = rate == 0 ? 0 : Math.max(1, (long) (clients * 1e9 / rate));
      for (Channel ch : channels) {
        ChatMember m = ch.pipeline().get(ChatMember.class);
        // Stagger the open loop's members across one interval, so their lines do not bunch.
        long offset = interval == 0 ? 0 : interval * m.id() / clients;
        ch.eventLoop().execute(() -> m.begin(round, quota, interval, start + offset));
      }
      // The measured time, then a drain of up to --timeout; sooner if a member is cut off.
      long end =
          (budget.timed() ? start + budget.duration().toNanos() : Long.MAX_VALUE - timeout)
              + timeout;
      while (!round.await(TimeUnit.MILLISECONDS.toNanos(50))
          && room.cutOff.get() == null
          && System.nanoTime() < end) {
        // wait: every member finishes once all its lines reached everyone
      }
      // Stop every sender first, then count on each receiver what never arrived.
      long[] sent = new long[clients];
      for (Channel ch : channels) {
        ChatMember m = ch.pipeline().get(ChatMember.class);
        sent[m.id()] = onLoop(ch, m::stopSending);
      }
      for (Channel ch : channels) {
        ChatMember m = ch.pipeline().get(ChatMember.class);
        onLoop(ch, () -> m.account(sent));
      }
      return round.result();
    }
  }

  private static long onLoop(Channel ch, java.util.concurrent.Callable<Long> task)
      throws InterruptedException {
    try {
      return ch.eventLoop().submit(task).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * What a round's members share: the round's identity, the hello count, and how many other members
   * still lack each line in flight (the closed loop's window moves when that reaches 0).
   */
  static final class Room {
    final ChatLoad load;
    final String id = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    final long base = System.nanoTime(); // tags carry ns since this
    final ChatMember[] members;
    final java.util.concurrent.CountDownLatch synced;
    final AtomicReference<String> cutOff = new AtomicReference<>();
    volatile RoundState round;

    // Receivers still to get line s of sender j, at j * cap + s % cap.
    private final AtomicIntegerArray missing;
    private final int cap;

    Room(ChatLoad load) {
      this.load = load;
      this.members = new ChatMember[load.clients()];
      this.synced = new java.util.concurrent.CountDownLatch(load.clients());
      this.cap = load.inFlight();
      this.missing = new AtomicIntegerArray(load.clients() * cap);
    }

    /** Member {@code i}'s pipeline: whole lines (read(2) returns any number), then the member. */
    ChannelHandler pipeline(int i) {
      ChatMember m = new ChatMember(this, i);
      members[i] = m;
      return new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          // Server notices can be longer than our lines (the welcome, /help): allow 64 KiB.
          ch.pipeline().addLast(new LineBasedFrameDecoder(Math.max(load.size(), 65536)), m);
        }
      };
    }

    /** Sender {@code j} sent line {@code seq}: every other member must get it. */
    void sent(int j, long seq) {
      missing.set(j * cap + (int) (seq % cap), members.length - 1);
    }

    /**
     * One member got line {@code seq} of sender {@code j}, or gave up on it (a gap): when no member
     * lacks it any more, the sender's window moves.
     */
    void arrived(int j, long seq) {
      if (missing.decrementAndGet(j * cap + (int) (seq % cap)) == 0) {
        members[j].deliveredToAll();
      }
    }

    /**
     * @return lines in flight per member
     */
    int cap() {
      return cap;
    }

    // Which member saw the fewest hellos: the sync's failure line.
    String helloShortfall() {
      ChatMember worst = members[0];
      for (ChatMember m : members) {
        if (m.hellosSeen() < worst.hellosSeen()) {
          worst = m;
        }
      }
      return "member "
          + worst.id()
          + " had seen the hello of "
          + worst.hellosSeen()
          + " of "
          + (members.length - 1)
          + " others";
    }
  }
}
