package dev.socklab.check;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The cases of a line chat relay: each line a member sends reaches every other member. A server may
 * greet on connect or not, prefix relayed lines with {@code [nick] } or not, and send notices of
 * its own: a relayed line "matches" when it contains the text sent, and every line without one of
 * the case's random markers is ignored. Members are numbered from 1 in the order they connect.
 */
final class ChatCases {
  private ChatCases() {}

  private static final String RELAY_HINT =
      "the select() loop does not serve every ready descriptor (FD_ISSET tested for one client"
          + " only, or maxfd + 1 not passed to select()), or the relay loop skips members";

  // When a member that connected never receives anything: it never got into the room.
  private static final String JOIN_HINT =
      "a new client never joins the room: after accept(), FD_SET its descriptor in the master"
          + " set, add it to the list the relay loop walks, and raise maxfd";

  /** Bytes in each line of a flood, with its {@code \n}. */
  private static final int FLOOD_LINE = 1024;

  /** Lines in slow-consumer's flood: 16 MiB, well past the kernel's buffers (a few MiB). */
  private static final int FLOOD_LINES = 16 * 1024;

  /** How far the flood's sender may run ahead of the member that reads it (lines of 1 KiB). */
  private static final int FLOOD_WINDOW = 128;

  static List<CheckCase> all() {
    return List.of(
        new CheckCase(
            "relay",
            Kind.CHAT,
            false,
            "a line from any of 3 members reaches the other 2",
            RELAY_HINT,
            "select(2): serving many clients in one loop",
            ChatCases::relay),
        new CheckCase(
            "no-self-echo",
            Kind.CHAT,
            false,
            "the sender does not get its own line back (with --self-echo: it does)",
            "relays the line back to its sender too (loop over all clients without skipping the"
                + " sender's descriptor)",
            "a chat relay: broadcasting to the other clients",
            ChatCases::noSelfEcho),
        new CheckCase(
            "framing",
            Kind.CHAT,
            false,
            "a line split across 3 writes arrives whole, and 3 lines in one write arrive as 3"
                + " lines",
            "each read() is treated as one line: keep a buffer per client, relay only complete"
                + " lines (up to '\\n') and keep the partial line for the next read()",
            "TCP is a byte stream: framing lines",
            ChatCases::framing),
        new CheckCase(
            "utf-8",
            Kind.CHAT,
            false,
            "Korean and an emoji split across writes in the middle of their bytes arrive intact",
            "the bytes are decoded per read(), so a character split between two reads is broken:"
                + " buffer bytes per client and decode (or just relay) whole lines",
            "TCP is a byte stream: multi-byte UTF-8",
            ChatCases::utf8),
        new CheckCase(
            "order",
            Kind.CHAT,
            false,
            "100 lines from one member arrive at another complete and in order",
            "lines are lost or reordered: relay each client's complete lines in the order read()"
                + " returned them, all of them (not only the first line of a read()), and handle"
                + " short writes",
            "TCP is a byte stream: ordering",
            ChatCases::order),
        new CheckCase(
            "slow-consumer",
            Kind.CHAT,
            false,
            "a member that never reads does not stall the others: 16 MiB still reach them",
            "a blocking write to one client stalls the select() loop: make the sockets"
                + " non-blocking with an output queue per client (select() for writability), and"
                + " cut off a client whose queue grows too long",
            "blocking and non-blocking write(2): slow consumers",
            ChatCases::slowConsumer),
        new CheckCase(
            "member-reset",
            Kind.CHAT,
            false,
            "members that reset their connections (RST) while the server relays do not break the"
                + " room for the others",
            "SIGPIPE/EPIPE or ECONNRESET kills the server or its loop: ignore SIGPIPE (or send"
                + " with MSG_NOSIGNAL), and on an error close that one client and go on",
            "SIGPIPE, EPIPE and ECONNRESET",
            ChatCases::memberReset),
        new CheckCase(
            "many-members",
            Kind.CHAT,
            false,
            "with 100 members connected, a line from one reaches all 99 others",
            "the server does not keep many clients: a small fixed client array, FD_SETSIZE, the"
                + " listen() backlog, maxfd not raised after accept(), or the highest descriptor"
                + " left out of select() (its first argument must be maxfd + 1)",
            "select(2) and poll(2) with many descriptors",
            ChatCases::manyMembers));
  }

  // Each member sends a line in turn; the two others must get it.
  private static Outcome relay(Probe p) throws Exception {
    List<ChatMember> room = join(p, 3, Set.of());
    for (ChatMember from : room) {
      String text = "relay " + marker(p) + " from " + from.name();
      long sent = System.nanoTime();
      from.send(text);
      for (ChatMember to : room) {
        if (to != from) {
          expect(p, to, text, from, sent, "every other member gets each line", RELAY_HINT);
        }
      }
    }
    return Outcome.pass();
  }

  /*
   * Member 1 sends a line; once member 2 has it, member 2 answers. A server relays the two in
   * that order, so when the answer reaches member 1 a copy of member 1's own line would have come
   * first: no timeout needed to see that nothing came.
   */
  private static Outcome noSelfEcho(Probe p) throws Exception {
    List<ChatMember> room = join(p, 2, Set.of());
    ChatMember a = room.get(0);
    ChatMember b = room.get(1);
    String text = "no-self-echo " + marker(p) + " from member 1";
    long sent = System.nanoTime();
    a.send(text);
    expect(p, b, text, a, sent, "every other member gets each line", RELAY_HINT);
    if (p.options().selfEcho()) {
      if (a.await(text, sent + p.waitTime().toNanos()) == null) {
        throw new CaseFailed(
            "with --self-echo, the sender gets its own line back",
            "member 1 got no copy of its own line '"
                + text
                + "' within "
                + Probe.seconds(p.waitTime())
                + " (member 2 got it)"
                + a.endNote(sent),
            "the server skips the sender; if your protocol says so, run without --self-echo");
      }
      return Outcome.pass("the sender got its own line back (--self-echo)");
    }
    String answer = "no-self-echo " + marker(p) + " answer from member 2";
    long answered = System.nanoTime();
    b.send(answer);
    expect(p, a, answer, b, answered, "every other member gets each line", RELAY_HINT);
    if (a.saw(text)) {
      throw new CaseFailed(
          "the sender gets no copy of its own line (run with --self-echo if your protocol"
              + " echoes)",
          "member 1 got its own line '" + text + "' back (before member 2's answer to it)",
          "");
    }
    return Outcome.pass();
  }

  // Member 1 writes, member 2 paces (see sendInPieces), member 3 must get whole lines.
  private static Outcome framing(Probe p) throws Exception {
    List<ChatMember> room = join(p, 3, Set.of());
    String text = "framing " + marker(p) + " this line comes in three pieces";
    byte[] line = (text + "\n").getBytes(UTF_8);
    int head = text.indexOf(" this"); // the marker stays in the first piece: fragments show
    int cut1 = head + 1 + p.random().nextInt(10);
    int cut2 = cut1 + 1 + p.random().nextInt(line.length - cut1 - 2);
    long sent = sendInPieces(p, room, line, cut1, cut2);
    expectWhole(p, room.get(2), text, sent, "3 pieces (split at bytes " + cut1 + ", " + cut2);

    List<String> texts = new ArrayList<>();
    for (String word : List.of("one", "two", "three")) {
      texts.add("framing " + marker(p) + " line " + word + " of one write");
    }
    sent = System.nanoTime();
    room.get(0).write((String.join("\n", texts) + "\n").getBytes(UTF_8));
    for (int i = 0; i < texts.size(); i++) {
      String got = room.get(2).await(texts.get(i), sent + p.waitTime().toNanos());
      if (got == null) {
        throw new CaseFailed(
            "3 lines sent in one write arrive as 3 lines",
            "member 3 got "
                + (i == 0 ? "none" : "only " + i)
                + " of the 3 lines member 1 sent in one write within "
                + Probe.seconds(p.waitTime())
                + room.get(2).endNote(sent),
            "only the first line of each read() is relayed: keep taking lines out of the"
                + " client's buffer while it holds a '\\n'");
      }
      for (String other : texts) {
        if (!other.equals(texts.get(i)) && got.contains(other)) {
          throw new CaseFailed(
              "3 lines sent in one write arrive as 3 lines",
              "member 3 got them glued into one line: '" + got + "'",
              "");
        }
      }
    }
    return Outcome.pass();
  }

  // Like framing, with the cuts inside 안 (3 bytes) and inside an emoji (4 bytes).
  private static Outcome utf8(Probe p) throws Exception {
    List<ChatMember> room = join(p, 3, Set.of());
    String head = "utf-8 " + marker(p) + " ";
    String text = head + "안녕 🙂 bye";
    byte[] line = (text + "\n").getBytes(UTF_8);
    int cut1 = head.getBytes(UTF_8).length + 1; // after the first of 안's 3 bytes
    int cut2 = (head + "안녕 ").getBytes(UTF_8).length + 2; // after 2 of 🙂's 4 bytes
    long sent = sendInPieces(p, room, line, cut1, cut2);
    expectWhole(
        p,
        room.get(2),
        text,
        sent,
        "3 pieces (cut inside 안 at byte " + cut1 + " and inside 🙂 at byte " + cut2);
    return Outcome.pass();
  }

  /*
   * Member 1 sends 100 numbered lines, 1 to 4 in each write (a server must relay every line of a
   * read(), not only the first); member 2 must get 0-99 in order, each within waitTime.
   */
  private static Outcome order(Probe p) throws Exception {
    List<ChatMember> room = join(p, 2, Set.of());
    String prefix = "order " + marker(p) + " #";
    int n = 100;
    ChatMember.Watch w = room.get(1).watch(prefix);
    long sent = System.nanoTime();
    int writes = 0;
    for (int i = 0; i < n; writes++) {
      StringBuilder group = new StringBuilder();
      for (int end = Math.min(n, i + 1 + p.random().nextInt(4)); i < end; i++) {
        group.append(prefix).append(String.format("%03d", i)).append('\n');
      }
      room.get(0).write(group.toString().getBytes(UTF_8));
    }
    long deadline = sent + 2 * p.waitTime().toNanos();
    int got = w.awaitSteadily(n, 1, p.waitTime(), deadline);
    String expected =
        "member 1's " + n + " lines (in " + writes + " writes) at member 2, in the order sent";
    checkSequence(w.found(), prefix, 3, expected);
    if (got < n) {
      throw new CaseFailed(
          expected,
          "member 2 got lines 0-"
              + (got - 1)
              + " of "
              + n
              + ", then "
              + (System.nanoTime() - deadline >= 0
                  ? "no more within " + Probe.seconds(p.waitTime().multipliedBy(2))
                  : "nothing for " + Probe.seconds(p.waitTime()))
              + room.get(1).endNote(sent),
          "");
    }
    return Outcome.pass();
  }

  /*
   * The numbered lines a member got must be 0, 1, 2...: else one was lost or came late. Lines
   * are "PREFIX" and the number in DIGITS digits.
   */
  private static void checkSequence(
      List<String> lines, String prefix, int digits, String expected) {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int at = line.indexOf(prefix) + prefix.length();
      int got;
      try {
        got = Integer.parseInt(line.substring(at, Math.min(line.length(), at + digits)));
      } catch (NumberFormatException e) {
        got = -1;
      }
      if (got != i) {
        boolean later = false;
        String own = prefix + String.format("%0" + digits + "d", i);
        for (String rest : lines.subList(i, lines.size())) {
          later |= rest.contains(own);
        }
        throw new CaseFailed(
            expected,
            "member 2 got "
                + (got < 0 ? "'" + line + "'" : "line " + got)
                + (i == 0 ? " first" : " right after line " + (i - 1))
                + "; line "
                + i
                + (later ? " came later" : " never came"),
            "lines are lost or reordered: relay each client's complete lines in the order read()"
                + " returned them, every one of them (not only the first line of a read()), and"
                + " handle short writes");
      }
    }
  }

  /*
   * Member 3 never reads. Member 1 sends 16 MiB (lines of 1 KiB, never more than 128 KiB ahead
   * of member 2); member 2 must keep getting them: 64 KiB at least every waitTime, all within 4
   * times waitTime. A server that blocks writing to member 3 stops once the kernel's buffers
   * towards it are full (a few MiB on Linux), and member 2 then gets nothing more.
   */
  private static Outcome slowConsumer(Probe p) throws Exception {
    List<ChatMember> room = join(p, 3, Set.of(3));
    ChatMember a = room.get(0);
    ChatMember b = room.get(1);
    String prefix = "flood " + marker(p) + " ";
    long start = System.nanoTime();
    CompletableFuture<Void> sender = startFlood(p, a, b, prefix, FLOOD_LINES);
    ChatMember.Watch w = b.watch(prefix);
    long deadline = start + 4 * p.waitTime().toNanos();
    int got = w.awaitSteadily(FLOOD_LINES, FLOOD_WINDOW / 2, p.waitTime(), deadline);
    String expected = "the others keep getting lines while member 3 does not read";
    checkSequence(w.found(), prefix, 5, expected);
    if (got < FLOOD_LINES) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int before = w.stepFrom();
      String seen =
          System.nanoTime() - deadline >= 0
              ? "member 2 got only "
                  + got
                  + " of "
                  + FLOOD_LINES
                  + " lines ("
                  + mib(got)
                  + ") in "
                  + Probe.seconds(p.waitTime().multipliedBy(4))
              : "member 2 got "
                  + before
                  + " of "
                  + FLOOD_LINES
                  + " lines ("
                  + mib(before)
                  + "), then "
                  + (got == before ? "nothing" : "only " + (got - before) + " more")
                  + " for "
                  + Probe.seconds(p.waitTime())
                  + " ("
                  + ms
                  + " ms into the flood)";
      throw new CaseFailed(expected, seen + failedWrite(sender) + b.endNote(start), "");
    }
    String back = "slow-consumer " + marker(p) + " from member 2 after the flood";
    long sent = System.nanoTime();
    b.send(back);
    expect(
        p,
        a,
        back,
        b,
        sent,
        "the room still works after a member stopped reading",
        "a blocking write to one client stalls the select() loop");
    return Outcome.pass(
        FLOOD_LINES / 1024
            + " MiB relayed in "
            + Probe.seconds(Duration.ofNanos(System.nanoTime() - start)));
  }

  private static String mib(int lines) {
    return String.format("%.1f MiB", lines * (double) FLOOD_LINE / (1 << 20));
  }

  /*
   * Starts member 1's flood: numbered lines of 1 KiB, 32 to a write, never more than 128 KiB
   * ahead of the member that reads them, so that no buffer on the way overflows (a server may
   * cut off a member whose queue grows). Writes may block when the server stalls: they run on a
   * thread of their own, which the end of the case (closing every connection) ends.
   */
  private static CompletableFuture<Void> startFlood(
      Probe p, ChatMember from, ChatMember reader, String prefix, int lines) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ChatMember.Watch progress = reader.watch(prefix);
    Thread.ofVirtual()
        .name("chat-flood")
        .start(
            () -> {
              try {
                flood(p, from, progress, prefix, lines);
                done.complete(null);
              } catch (Exception e) {
                done.completeExceptionally(e);
              }
            });
    return done;
  }

  private static void flood(
      Probe p, ChatMember from, ChatMember.Watch reader, String prefix, int lines)
      throws InterruptedException {
    int batch = 32;
    for (int i = 0; i < lines; i += batch) {
      int behind = i - FLOOD_WINDOW + batch;
      if (behind > 0 && reader.await(behind, System.nanoTime() + p.waitTime().toNanos()) < behind) {
        return; // the reader stalled: the case reports it
      }
      from.write(floodLines(prefix, i, Math.min(lines, i + batch)));
    }
  }

  // Lines from..to-1 of a flood: "PREFIX NNNNN xxx...", 1 KiB each with the \n.
  private static byte[] floodLines(String prefix, int from, int to) {
    StringBuilder sb = new StringBuilder((to - from) * FLOOD_LINE);
    for (int j = from; j < to; j++) {
      String head = prefix + String.format("%05d ", j);
      sb.append(head).append("x".repeat(FLOOD_LINE - 1 - head.length())).append('\n');
    }
    return sb.toString().getBytes(UTF_8);
  }

  // "" or why member 1's flood stopped: its write failed.
  private static String failedWrite(CompletableFuture<Void> sender) {
    if (!sender.isCompletedExceptionally()) {
      return "";
    }
    Throwable e = sender.exceptionNow();
    return e instanceof CaseFailed ? "; " + e.getMessage() : "; member 1's flood stopped: " + e;
  }

  /*
   * Members 3-6 reset their connections (RST) one by one, each right after member 1 wrote 256
   * KiB of lines in one write: when that write returns most of it still waits in the server's
   * buffers, so the server is busy relaying it when the RST comes. It then writes to a reset
   * socket (the first write fails with ECONNRESET, the next with EPIPE and SIGPIPE), or it reads
   * ECONNRESET first. Either way member 2 must get every line, and after that members 1 and 2
   * must still hear each other.
   */
  private static Outcome memberReset(Probe p) throws Exception {
    int victims = 4;
    int burst = 256; // lines of 1 KiB
    int n = (victims + 1) * burst;
    List<ChatMember> room = join(p, 2 + victims, Set.of());
    ChatMember a = room.get(0);
    ChatMember b = room.get(1);
    String prefix = "member-reset " + marker(p) + " ";
    AtomicLongArray resets =
        new AtomicLongArray(victims); // when each reset: written by the bursts' thread
    ChatMember.Watch progress = b.watch(prefix);
    CompletableFuture<Void> sender = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("chat-bursts")
        .start(
            () -> {
              try {
                for (int v = 0; v <= victims; v++) {
                  // each burst once the last one arrived: member 2's buffers never overflow
                  if (progress.await(v * burst, System.nanoTime() + p.waitTime().toNanos())
                      < v * burst) {
                    break;
                  }
                  a.write(floodLines(prefix, v * burst, (v + 1) * burst));
                  if (v < victims) {
                    room.get(2 + v).reset();
                    resets.set(v, System.nanoTime());
                  }
                }
                sender.complete(null);
              } catch (Exception e) {
                sender.completeExceptionally(e);
              }
            });
    ChatMember.Watch w = b.watch(prefix);
    long sent = System.nanoTime();
    int got = w.awaitSteadily(n, burst / 4, p.waitTime(), sent + 4 * p.waitTime().toNanos());
    String expected = "the others still relay while members reset their connections (RST)";
    checkSequence(w.found(), prefix, 5, expected);
    if (got < n) {
      int reset = 0;
      while (reset < victims && resets.get(reset) != 0) {
        reset++;
      }
      String who =
          switch (reset) {
            case 0 -> "before any member reset its connection";
            case 1 -> "member 3 had reset its connection after the first " + burst;
            default ->
                "members 3-"
                    + (2 + reset)
                    + " had reset their connections, one after each "
                    + burst;
          };
      throw new CaseFailed(
          expected,
          "member 2 got "
              + got
              + " of member 1's "
              + n
              + " lines ("
              + who
              + ")"
              + (b.hasEnded() ? "" : ", then no more for " + Probe.seconds(p.waitTime()))
              + failedWrite(sender)
              + b.endNote(reset == 0 ? sent : resets.get(reset - 1))
                  .replace(
                      " after that",
                      reset == 0 ? " after the first burst" : " after the last reset"),
          "");
    }
    long lastReset = resets.get(victims - 1);
    String text = "member-reset " + marker(p) + " after the resets from member 1";
    sent = System.nanoTime();
    a.send(text);
    expectSince(p, b, text, a, sent, lastReset, expected);
    text = "member-reset " + marker(p) + " after the resets from member 2";
    sent = System.nanoTime();
    b.send(text);
    expectSince(p, a, text, b, sent, lastReset, expected);
    return Outcome.pass();
  }

  // Member 100 (the highest descriptor on the server) sends; the 99 others must get it.
  private static Outcome manyMembers(Probe p) throws Exception {
    int n = 100;
    List<ChatMember> room = join(p, n, Set.of());
    ChatMember from = room.get(n - 1);
    String text = "many-members " + marker(p) + " from " + from.name();
    long sent = System.nanoTime();
    long deadline = sent + p.waitTime().toNanos();
    from.send(text);
    List<String> missing = new ArrayList<>();
    for (ChatMember to : room) {
      if (to != from && to.await(text, deadline) == null) {
        missing.add(to.name());
      }
    }
    if (!missing.isEmpty()) {
      throw new CaseFailed(
          "all " + (n - 1) + " other members get the line",
          missing.size()
              + " of "
              + (n - 1)
              + " got no line with member "
              + n
              + "'s '"
              + text
              + "' within "
              + Probe.seconds(p.waitTime())
              + ": "
              + missing.stream().limit(5).collect(Collectors.joining(", "))
              + (missing.size() > 5 ? ", ..." : ""),
          "");
    }
    return Outcome.pass();
  }

  /*
   * Connects n members and waits until each is in the room. A server may accept a connection
   * some time after connect() returns (one accept() per turn of its select() loop), and a line
   * it reads before that never reaches the newcomer. So member 1 sends a sync line, again after
   * 50 ms, 100 ms, ... as long as some reading member has none yet; a silent member (one that
   * never reads) shows it is in by sending a line member 1 gets.
   */
  static List<ChatMember> join(Probe p, int n, Set<Integer> silent) throws Exception {
    List<ChatMember> room = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      room.add(ChatMember.connect(p, i, !silent.contains(i)));
    }
    long start = System.nanoTime();
    long deadline = start + p.waitTime().toNanos();
    ChatMember leader = room.getFirst();
    String sync = "sync " + marker(p) + " #";
    Set<ChatMember> waiting = new HashSet<>(room.subList(1, n));
    waiting.removeIf(m -> silent.contains(number(m)));
    long round = p.scaled(Duration.ofMillis(50)).toNanos();
    for (int r = 1; !waiting.isEmpty(); r++, round *= 2) {
      if (System.nanoTime() - deadline >= 0) {
        ChatMember m = waiting.stream().min((x, y) -> number(x) - number(y)).orElseThrow();
        throw new CaseFailed(
            "every member that connects gets the others' lines",
            m.name()
                + (waiting.size() > 1 ? " and " + (waiting.size() - 1) + " more" : "")
                + " got none of the "
                + (r - 1)
                + " lines member 1 sent within "
                + Probe.seconds(p.waitTime())
                + " of connecting"
                + m.endNote(start),
            JOIN_HINT);
      }
      leader.send(sync + r);
      long until = Math.min(deadline, System.nanoTime() + round);
      for (var it = waiting.iterator(); it.hasNext(); ) {
        if (it.next().await(sync, until) != null) {
          it.remove();
        }
      }
    }
    for (int i : silent) {
      String here = "here " + marker(p) + " from member " + i;
      long sent = System.nanoTime();
      room.get(i - 1).send(here);
      expect(p, leader, here, room.get(i - 1), sent, "every member's lines reach the others", "");
    }
    p.note("all " + n + " members are in the room");
    return room;
  }

  /*
   * The pieces of one line from member 1, with member 2 sending a pacing line between them that
   * member 3 must get first: by then the server has gone round its loop and read the piece
   * before it on its own (on loopback the piece was there first). A server that relays what each
   * read() returned shows it: the pacing line lands in the middle of member 1's line.
   */
  private static long sendInPieces(Probe p, List<ChatMember> room, byte[] line, int... cuts)
      throws Exception {
    long sent = System.nanoTime();
    int from = 0;
    for (int cut : cuts) {
      room.get(0).write(Arrays.copyOfRange(line, from, cut));
      from = cut;
      String pace = "pace " + marker(p) + " from member 2";
      long paced = System.nanoTime();
      room.get(1).send(pace);
      expect(p, room.get(2), pace, room.get(1), paced, "every member's lines reach the others", "");
    }
    room.get(0).write(Arrays.copyOfRange(line, from, line.length));
    return sent;
  }

  // Member 3's line with member 1's text: whole, or a fragment (that has the marker) is a FAIL.
  private static void expectWhole(Probe p, ChatMember to, String text, long sent, String how)
      throws InterruptedException {
    String marker = text.split(" ")[1];
    String got = to.await(marker, sent + p.waitTime().toNanos());
    String expected = "member 1's line, sent in " + how + "), arrives whole at member 3";
    if (got == null) {
      throw new CaseFailed(
          expected,
          "member 3 got nothing of '"
              + text
              + "' within "
              + Probe.seconds(p.waitTime())
              + to.endNote(sent),
          "");
    }
    if (!got.contains(text)) {
      throw new CaseFailed(
          expected,
          "member 3 got '"
              + got
              + "'"
              + (got.contains("\uFFFD") ? " (U+FFFD: bytes that were not valid UTF-8)" : ""),
          "");
    }
  }

  // Waits for a line at a member, or fails the case saying who sent what and how long it waited.
  private static void expect(
      Probe p, ChatMember to, String text, ChatMember from, long sent, String expected, String hint)
      throws InterruptedException {
    if (to.await(text, sent + p.waitTime().toNanos()) == null) {
      throw new CaseFailed(
          expected,
          to.name()
              + " got no line with "
              + from.name()
              + "'s '"
              + text
              + "'"
              + (to.hasEnded() ? "" : " within " + Probe.seconds(p.waitTime()))
              + to.endNote(sent),
          hint);
    }
  }

  // expect(), after the resets: times are said from the last one.
  private static void expectSince(
      Probe p, ChatMember to, String text, ChatMember from, long sent, long reset, String expected)
      throws InterruptedException {
    if (to.await(text, sent + p.waitTime().toNanos()) == null) {
      throw new CaseFailed(
          expected,
          to.name()
              + " got no line with "
              + from.name()
              + "'s '"
              + text
              + "' ("
              + TimeUnit.NANOSECONDS.toMillis(sent - reset)
              + " ms after the last reset)"
              + (to.hasEnded() ? "" : " within " + Probe.seconds(p.waitTime()))
              + to.endNote(reset).replace(" after that", " after the last reset"),
          "");
    }
  }

  private static int number(ChatMember m) {
    return Integer.parseInt(m.name().substring("member ".length()));
  }

  /**
   * @param p the case's probe: the same seed gives the same markers
   * @return 10 random letters and digits: no line from anywhere else contains them
   */
  static String marker(Probe p) {
    String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    return IntStream.range(0, 10)
        .mapToObj(i -> String.valueOf(alphabet.charAt(p.random().nextInt(alphabet.length()))))
        .collect(Collectors.joining());
  }
}
