package dev.socklab.check;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.socklab.check.UdpPeers.Arrival;
import dev.socklab.check.UdpPeers.Exchange;
import dev.socklab.check.UdpPeers.Request;
import dev.socklab.common.Endpoints;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The cases of a UDP echo server (RFC 862 over UDP): each datagram back to its sender, unchanged,
 * as one datagram. Replies are matched by content (see {@link UdpPeers}); only {@code reply-source}
 * looks at where they come from. Cases that may kill a fragile server (an empty datagram, odd
 * input) run last, so one crash does not fail every case after it.
 */
final class UdpCases {
  /** Largest UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
  static final int MAX_DATAGRAM = 65_507;

  /**
   * socklab's discovery magic "SLAB": socklab's server answers it with an ANNOUNCE, not an echo.
   */
  private static final byte[] SOCKLAB_MAGIC = {'S', 'L', 'A', 'B'};

  private static final String SMALL_BUFFER =
      "the receive buffer is smaller than 65,507 bytes (e.g. char buf[1024], or Netty's 2048-byte"
          + " default): recvfrom() silently cuts a datagram that does not fit, and the rest is"
          + " lost";
  private static final String STRLEN =
      "strlen() on binary data: the length sent back is counted up to the first NUL byte, not"
          + " taken from recvfrom()'s return value";
  private static final String SIZEOF =
      "sendto() is given the buffer's size (sizeof buf) instead of the length recvfrom() returned";
  private static final String NO_ECHO =
      "the server does not sendto() the bytes recvfrom() returned to the address recvfrom()"
          + " filled in (check the length passed to sendto(), and the struct sockaddr and"
          + " socklen_t given to both)";
  private static final String STREAM =
      "the server treats UDP as a byte stream: it sends a datagram back in pieces, or gathers"
          + " several recvfrom() into one sendto(); one recvfrom() is one datagram, and one"
          + " sendto() sends one back";
  private static final String SHARED_BUFFER =
      "the reply is not the request it answers: a buffer (or the length) shared between threads,"
          + " or reused for the next recvfrom() before sendto() is done with it";
  private static final String WILDCARD =
      "the server is bound to the wildcard address (INADDR_ANY) and the kernel chose another"
          + " source address for the reply: bind() each address (or use IP_PKTINFO) so the reply"
          + " leaves from the address the request came to";

  private UdpCases() {}

  static List<CheckCase> all() {
    return List.of(
        new CheckCase(
            "basic",
            Kind.UDP,
            false,
            "a datagram sent comes back identical, as one datagram",
            NO_ECHO,
            "recvfrom(2)/sendto(2): the UDP echo loop (dg_echo)",
            UdpCases::basic),
        new CheckCase(
            "boundaries",
            Kind.UDP,
            false,
            "two datagrams of different sizes sent back-to-back come back as two datagrams of their"
                + " own sizes, neither merged nor split",
            STREAM,
            "message boundaries: SOCK_DGRAM vs SOCK_STREAM",
            UdpCases::boundaries),
        new CheckCase(
            "max-size",
            Kind.UDP,
            false,
            "a datagram of 65,507 bytes (the largest over IPv4) comes back whole",
            SMALL_BUFFER,
            "datagram size: 65,507 bytes at most, truncation by recvfrom() (MSG_TRUNC)",
            UdpCases::maxSize),
        new CheckCase(
            "reply-source",
            Kind.UDP,
            false,
            "the reply comes from the address and port the client sent to",
            "the reply is sent from another socket (or an unbound one), so its source port differs"
                + " and clients that use connect() on UDP drop it: sendto() on the very socket"
                + " recvfrom() read from",
            "connected UDP sockets: which replies the kernel accepts",
            UdpCases::replySource),
        new CheckCase(
            "many-peers",
            Kind.UDP,
            false,
            "20 clients sending at once each get back their own datagram and nobody else's",
            "replies go to the wrong client (often the last sender): the struct sockaddr from"
                + " recvfrom() is a global, or shared between threads, and another recvfrom()"
                + " overwrote it before the sendto()",
            "one UDP socket, many clients: the address recvfrom() fills in",
            UdpCases::manyPeers),
        new CheckCase(
            "burst",
            Kind.UDP,
            false,
            "1,000 datagrams, 16 in flight at a time, come back intact, no more lost than"
                + " --max-loss allows",
            "the server loses datagrams under load: it is slow per datagram (printing each one, a"
                + " sleep, a new thread or process per datagram) while its socket's receive"
                + " buffer (SO_RCVBUF) fills up and the kernel drops what does not fit",
            "UDP is unreliable: loss, SO_RCVBUF, no flow control",
            UdpCases::burst),
        new CheckCase(
            "empty-datagram",
            Kind.UDP,
            false,
            "a datagram of 0 bytes is answered with a datagram of 0 bytes",
            "recvfrom() returning 0 is treated as EOF or an error, which is TCP thinking: over UDP"
                + " 0 is an empty datagram, and there is no EOF",
            "datagrams of length 0: UDP has no EOF",
            UdpCases::emptyDatagram),
        new CheckCase(
            "garbage",
            Kind.UDP,
            false,
            "odd datagrams (NUL bytes, printf conversions, the largest size, random binary) do"
                + " not kill or wedge the server: it still answers a normal one",
            "parsing untrusted input: strlen() or printf(buf) on binary data, assuming a"
                + " NUL-terminated string (buf[n] = '\\0' one past the end of a full buffer), or"
                + " exit() on a message it does not expect",
            "robustness: a server reads untrusted input",
            UdpCases::garbage));
  }

  private static Outcome basic(Probe p) throws Exception {
    UdpPeers peers = UdpPeers.open(p, 1);
    echoOne(p, peers, text(p, "basic"));
    return Outcome.pass();
  }

  private static Outcome boundaries(Probe p) throws Exception {
    UdpPeers peers = UdpPeers.open(p, 1);
    // Both at most 1,000 bytes: this case is about boundaries, not buffer size (max-size's job).
    byte[] small = payload(p, 20 + p.random().nextInt(380));
    byte[] big = payload(p, 600 + p.random().nextInt(400));
    Exchange x = peers.exchange(List.of(new Request(0, small), new Request(0, big)));
    if (x.complete()) {
      return Outcome.pass();
    }
    String expected =
        "2 datagrams back, of " + small.length + " and " + big.length + " bytes, as they were sent";
    String sent = "sent " + small.length + " then " + big.length + " bytes; ";
    List<byte[]> extra = x.unexpected().stream().map(Arrival::data).toList();
    if (extra.size() == 1
        && (Arrays.equals(extra.get(0), concat(List.of(small, big)))
            || Arrays.equals(extra.get(0), concat(List.of(big, small))))) {
      throw new CaseFailed(
          expected,
          sent + "got back one datagram of " + extra.get(0).length + " bytes: the two merged",
          "");
    }
    for (byte[] whole : List.of(small, big)) {
      if (extra.size() > 1 && Arrays.equals(concat(extra), whole)) {
        throw new CaseFailed(
            expected,
            sent + "the " + whole.length + "-byte one came back split into " + sizes(extra, " + "),
            "");
      }
    }
    if (!x.unexpected().isEmpty()) {
      byte[] got = extra.get(0);
      byte[] closest = closest(List.of(small, big), got);
      Mismatch m = mismatch(closest, got);
      if (!m.hint().isEmpty() && got.length == (closest == small ? big : small).length) {
        // The length of one and the bytes of the other: not a small buffer, a shared one.
        m = new Mismatch(m.seen(), SHARED_BUFFER);
      }
      throw new CaseFailed(
          expected,
          sent
              + "got back datagrams of "
              + sizes(x.arrived(), ", ")
              + " bytes; against the "
              + closest.length
              + "-byte one: "
              + m.seen(),
          m.hint());
    }
    List<byte[]> missing = x.unanswered().stream().map(Request::payload).toList();
    throw noReply(
        p,
        x,
        expected,
        missing.size() == 1
            ? "the " + sized(missing.get(0).length) + " one"
            : "either the " + small.length + "- or the " + big.length + "-byte one",
        missing.size() == 1 ? "" : NO_ECHO);
  }

  private static Outcome maxSize(Probe p) throws Exception {
    UdpPeers peers = UdpPeers.open(p, 1);
    echoOne(p, peers, payload(p, MAX_DATAGRAM));
    return Outcome.pass();
  }

  private static Outcome replySource(Probe p) throws Exception {
    UdpPeers peers = UdpPeers.open(p, 1);
    byte[] msg = text(p, "reply-source");
    Exchange x = peers.exchange(List.of(new Request(0, msg)));
    if (x.arrived().isEmpty()) {
      throw noReply(
          p,
          x,
          "a reply from where the request went",
          "a " + sized(msg.length) + " datagram",
          NO_ECHO);
    }
    // Any reply, right or wrong (basic judges the bytes): only where it comes from matters here.
    Arrival a = x.arrived().get(0);
    InetSocketAddress to = peers.server();
    if (a.from().equals(to)) {
      return Outcome.pass();
    }
    boolean samePort = a.from().getPort() == to.getPort();
    throw new CaseFailed(
        "the reply from " + Endpoints.format(to) + ", where the request went",
        "the reply came from "
            + Endpoints.format(a.from())
            + (samePort ? " (the same port, another address)" : " (another port)")
            + ": a client that called connect() would never see it",
        samePort ? WILDCARD : "");
  }

  private static Outcome manyPeers(Probe p) throws Exception {
    int n = 20;
    UdpPeers peers = UdpPeers.open(p, n);
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // All the same length ("peer 07"): an echo sent to the wrong peer is recognised whole.
      String who = String.format(Locale.ROOT, "many-peers, peer %02d of %d", i + 1, n);
      requests.add(new Request(i, text(p, who)));
    }
    Exchange x = peers.exchange(requests); // all 20 sent back-to-back before any reply is read
    if (x.complete()) {
      return Outcome.pass();
    }
    String expected = "each of " + n + " peers to get back its own datagram, and only that";
    if (x.arrived().isEmpty()) {
      throw noReply(p, x, expected, "any of the " + n + " peers", NO_ECHO);
    }
    // Whose echo each stray datagram is: another peer's, or nobody's (then: what is wrong with it).
    List<String> astray = new ArrayList<>();
    int toLast = 0;
    Arrival garbled = null;
    for (Arrival a : x.unexpected()) {
      Request owner =
          requests.stream()
              .filter(r -> Arrays.equals(r.payload(), a.data()))
              .findFirst()
              .orElse(null);
      if (owner != null && owner.peer() == a.peer()) {
        continue; // its own echo once too often: counted below
      } else if (owner != null) {
        astray.add(peers.who(owner.peer()) + "'s echo arrived at " + peers.who(a.peer()));
        toLast += a.peer() == n - 1 ? 1 : 0;
      } else if (garbled == null) {
        garbled = a;
      }
    }
    StringBuilder seen = new StringBuilder();
    if (!x.unanswered().isEmpty()) {
      seen.append(x.unanswered().size())
          .append(" of ")
          .append(n)
          .append(" peers got no echo of their own (sent ")
          .append(x.tries() == 1 ? "once" : "up to " + times(x.tries()))
          .append(" over ")
          .append(Probe.seconds(x.waited()))
          .append(")");
    }
    // Echoes sent again and again to one peer (the last sender?) show as its own, many times.
    for (int i = 0; i < n; i++) {
      int peer = i;
      long got = x.arrived().stream().filter(a -> a.peer() == peer).count();
      if (got > peers.sends(peer)) {
        seen.append(seen.isEmpty() ? "" : "; ")
            .append(peers.who(peer))
            .append(peer == n - 1 ? " (the last to send)" : "")
            .append(" got ")
            .append(got)
            .append(" datagrams for the ")
            .append(peers.sends(peer))
            .append(" it sent");
      }
    }
    if (!astray.isEmpty()) {
      seen.append(seen.isEmpty() ? "" : "; ")
          .append(astray.size())
          .append(astray.size() == 1 ? " echo went astray: " : " echoes went astray: ")
          .append(String.join(", ", astray.subList(0, Math.min(3, astray.size()))))
          .append(astray.size() > 3 ? ", ..." : "")
          .append(toLast == astray.size() ? " (all to peer " + n + ", the last to send)" : "");
    } else if (garbled != null) {
      // Not a misdirection: the bytes are wrong. Say how, as basic would.
      byte[] own = requests.get(garbled.peer()).payload();
      Mismatch m = mismatch(own, garbled.data());
      throw new CaseFailed(
          expected,
          peers.who(garbled.peer()) + " sent " + bytes(own.length) + ", got back " + m.seen(),
          m.hint().isEmpty() ? SHARED_BUFFER : m.hint());
    }
    throw new CaseFailed(expected, seen + serverGone(p), "");
  }

  /** The burst's numbers: how many came back, late, twice, out of order. */
  private static final class Tally {
    int answered;
    int lost;
    int duplicated;
    int reordered;
    int highest = -1;

    String figure(int total) {
      return String.format(Locale.ROOT, "%.1f%% lost (%d of %d)", 100.0 * lost / total, lost, total)
          + (duplicated > 0 ? ", " + duplicated + " duplicated" : "")
          + (reordered > 0 ? ", " + reordered + " out of order" : "");
    }
  }

  // A sliding window, as TCP's but without retransmission: at most 16 datagrams unanswered at a
  // time; one with no echo within 1 s is counted lost and frees its place.
  private static Outcome burst(Probe p) throws Exception {
    int total = 1_000;
    int window = 16;
    int allowed = (int) Math.floor(p.options().maxLoss() * total);
    long lossAfter = p.scaled(Duration.ofSeconds(1)).toNanos();
    long stall = p.waitTime().toNanos();
    UdpPeers peers = UdpPeers.open(p, 1);
    byte[][] sent = new byte[total][];
    long[] sentAt = new long[total];
    boolean[] back = new boolean[total];
    Deque<Integer> inFlight = new ArrayDeque<>(); // oldest first: the next to time out
    Tally t = new Tally();
    int next = 0;
    long lastHeard = System.nanoTime();
    while (next < total || !inFlight.isEmpty()) {
      for (; next < total && inFlight.size() < window; next++) {
        sent[next] = sequenced(p, next);
        sentAt[next] = System.nanoTime();
        peers.send(0, sent[next]);
        inFlight.addLast(next);
      }
      long deadline = Math.min(sentAt[inFlight.peekFirst()] + lossAfter, lastHeard + stall);
      Arrival a = peers.next(deadline);
      long now = System.nanoTime();
      if (a == null) {
        if (now - lastHeard >= stall) {
          throw new CaseFailed(
              "an echo for each datagram",
              "no echo at all for "
                  + Probe.seconds(Duration.ofNanos(stall))
                  + " after "
                  + t.answered
                  + " of the "
                  + next
                  + " datagrams sent had come back"
                  + serverGone(p),
              t.answered == 0 ? NO_ECHO : "");
        }
        while (!inFlight.isEmpty() && now - sentAt[inFlight.peekFirst()] >= lossAfter) {
          inFlight.removeFirst();
          t.lost++;
        }
        if (t.lost > allowed) {
          throw new CaseFailed(
              "at most " + allowed + " of " + total + " lost (--max-loss " + percent(p) + ")",
              t.lost
                  + (next < total ? " of the first " : " of the ")
                  + next
                  + " datagrams got no echo within "
                  + Probe.seconds(Duration.ofNanos(lossAfter))
                  + (next < total ? " (stopped there)" : "")
                  + serverGone(p),
              t.answered == 0 ? NO_ECHO : "");
        }
        continue;
      }
      lastHeard = now;
      int seq = sequence(a.data());
      if (seq < 0 || seq >= next || !Arrays.equals(a.data(), sent[seq])) {
        throw garbledEcho(
            seq >= 0 && seq < next ? seq : closestSeq(sent, inFlight, a.data()), sent, a);
      }
      if (back[seq]) {
        t.duplicated++;
        continue;
      }
      back[seq] = true;
      t.answered++;
      if (!inFlight.remove(seq)) {
        t.lost--; // counted lost, yet it came: late, not lost
      }
      t.reordered += seq < t.highest ? 1 : 0;
      t.highest = Math.max(t.highest, seq);
    }
    if (t.lost > allowed) {
      return Outcome.fail(
          "at most " + allowed + " of " + total + " lost (--max-loss " + percent(p) + ")",
          t.figure(total),
          "");
    }
    return Outcome.pass(t.figure(total));
  }

  // An echo in the burst that is not the datagram it answers: which one it looks like, and how.
  private static CaseFailed garbledEcho(int seq, byte[][] sent, Arrival a) {
    Mismatch m = mismatch(sent[seq], a.data());
    // A cut to a power of two looks like a small buffer; to any other length, like a length or
    // buffer that another datagram overwrote (the burst's datagrams are 16-256 bytes).
    boolean ownBug =
        m.hint().equals(SIZEOF)
            || m.hint().equals(SMALL_BUFFER) && Integer.bitCount(a.data().length) == 1;
    return new CaseFailed(
        "each echo the same bytes as its datagram",
        "the echo of datagram " + seq + " (" + bytes(sent[seq].length) + "): " + m.seen(),
        ownBug ? m.hint() : SHARED_BUFFER);
  }

  // The datagram in flight an echo most looks like (see closest).
  private static int closestSeq(byte[][] sent, Deque<Integer> inFlight, byte[] got) {
    List<byte[]> candidates = inFlight.stream().map(i -> sent[i]).toList();
    byte[] like = closest(candidates.isEmpty() ? List.of(sent[0]) : candidates, got);
    for (int i = 0; i < sent.length; i++) {
      if (sent[i] == like) {
        return i;
      }
    }
    return 0;
  }

  private static Outcome emptyDatagram(Probe p) throws Exception {
    UdpPeers peers = UdpPeers.open(p, 1);
    byte[] empty = new byte[0];
    Exchange x = peers.exchange(List.of(new Request(0, empty)));
    failOnUnexpected(x, empty);
    if (x.complete()) {
      return Outcome.pass();
    }
    String seen =
        "no reply to a 0-byte datagram (sent "
            + times(x.tries())
            + " over "
            + Probe.seconds(x.waited())
            + ")";
    String gone = serverGone(p);
    if (!gone.isEmpty()) {
      throw new CaseFailed("a 0-byte datagram back", seen + gone, "");
    }
    // Did it only skip the empty datagram, or stop answering altogether?
    byte[] after = text(p, "empty-datagram, after");
    Exchange y = peers.exchange(List.of(new Request(0, after)));
    throw new CaseFailed(
        "a 0-byte datagram back",
        seen
            + (y.answers().isEmpty() && y.unexpected().isEmpty()
                ? ", nor to a "
                    + after.length
                    + "-byte one after it: the server stopped answering"
                    + serverGone(p)
                : ", though a " + after.length + "-byte one after it was answered"),
        "");
  }

  /**
   * An odd datagram for {@code garbage}.
   *
   * @param what how the report names it
   * @param bytes its bytes
   */
  private record Odd(String what, byte[] bytes) {}

  // No 0-byte datagram here: empty-datagram checks that on its own.
  private static List<Odd> oddDatagrams(Probe p) {
    List<Odd> odd = new ArrayList<>();
    odd.add(new Odd("1 NUL byte", new byte[1]));
    odd.add(new Odd("512 NUL bytes", new byte[512]));
    odd.add(new Odd("printf conversions '%s%s%s%s%n%n'", "%s%s%s%s%n%n".getBytes(US_ASCII)));
    odd.add(new Odd("'abc', NUL, 'def'", "abc\0def".getBytes(US_ASCII)));
    odd.add(new Odd("'\\r\\n' alone", "\r\n".getBytes(US_ASCII)));
    odd.add(new Odd("1,024 x 'A', no NUL", filled(1024, 'A'))); // fills char buf[1024] exactly
    odd.add(new Odd("2,048 x 'A', no NUL", filled(2048, 'A')));
    odd.add(new Odd("4 bytes 0xff, a length prefix of -1", filled(4, 0xff)));
    odd.add(
        new Odd("'SLAB' and 3 bytes, a socklab header cut short", "SLAB\1\1\0".getBytes(US_ASCII)));
    odd.add(new Odd("0xc0 0x80, invalid UTF-8", new byte[] {(byte) 0xc0, (byte) 0x80}));
    odd.add(new Odd("65,507 bytes of 0xff", filled(MAX_DATAGRAM, 0xff)));
    for (int i = 0; i < 8; i++) {
      int size = i < 2 ? 1 + p.random().nextInt(MAX_DATAGRAM) : 1 + p.random().nextInt(4096);
      odd.add(new Odd(String.format(Locale.ROOT, "%,d random bytes", size), payload(p, size)));
    }
    return odd;
  }

  // A normal datagram answered, the odd ones one at a time (each given a moment to be echoed, so
  // the server reads them all rather than the kernel dropping them), then a normal one again.
  private static Outcome garbage(Probe p) throws Exception {
    UdpPeers peers = UdpPeers.open(p, 2); // peer 1 normal datagrams, peer 2 the odd ones
    byte[] before = text(p, "garbage, before");
    if (!answered(peers.exchange(List.of(new Request(0, before))))) {
      throw new CaseFailed(
          "an answer to a normal datagram, before and after odd ones",
          "no answer to a normal "
              + before.length
              + "-byte datagram even before the odd ones:"
              + " the server is not answering at all (see the cases before)"
              + serverGone(p),
          "");
    }
    List<Odd> odd = oddDatagrams(p);
    int lastAnswered = -1;
    long pace = p.scaled(Duration.ofMillis(100)).toNanos();
    for (int i = 0; i < odd.size(); i++) {
      byte[] b = odd.get(i).bytes();
      peers.send(1, b);
      long deadline = System.nanoTime() + pace;
      for (Arrival a; (a = peers.next(deadline)) != null; ) {
        // Its echo, or the start of it (a server with a small buffer or strlen() cuts it).
        if (a.peer() == 1 && startsWith(b, a.data())) {
          lastAnswered = i;
          break;
        }
      }
      String gone = serverGone(p);
      if (!gone.isEmpty()) {
        throw new CaseFailed(
            "the server still running after odd datagrams",
            "right after odd datagram #" + (i + 1) + ": " + odd.get(i).what() + gone,
            "");
      }
    }
    byte[] after = text(p, "garbage, after");
    Exchange x = peers.exchange(List.of(new Request(0, after)));
    if (answered(x)) {
      return Outcome.pass();
    }
    throw new CaseFailed(
        "an answer to a normal datagram, before and after odd ones",
        "no answer to a normal "
            + after.length
            + "-byte datagram after "
            + odd.size()
            + " odd ones (sent "
            + times(x.tries())
            + " over "
            + Probe.seconds(x.waited())
            + "), though it answered one before them; "
            + (lastAnswered < 0
                ? "it answered none of the odd ones"
                : "it answered odd ones up to #" + (lastAnswered + 1))
            + (lastAnswered + 1 < odd.size()
                ? ", none from #" + (lastAnswered + 2) + " on: " + odd.get(lastAnswered + 1).what()
                : "")
            + serverGone(p),
        "");
  }

  // The server answered something on the socket that asked: an echo, right or wrong.
  private static boolean answered(Exchange x) {
    return !x.answers().isEmpty() || !x.unexpected().isEmpty();
  }

  /**
   * One datagram out and its echo back, retransmitted if need be.
   *
   * @return the echo
   * @throws CaseFailed when what came back differs, or nothing did
   */
  private static Arrival echoOne(Probe p, UdpPeers peers, byte[] payload) throws Exception {
    Exchange x = peers.exchange(List.of(new Request(0, payload)));
    failOnUnexpected(x, payload);
    if (!x.unanswered().isEmpty()) {
      throw noReply(
          p,
          x,
          "the same " + bytes(payload.length) + " back",
          "a " + sized(payload.length) + " datagram",
          "");
    }
    return x.answers().values().iterator().next();
  }

  private static void failOnUnexpected(Exchange x, byte[] payload) {
    if (x.unexpected().isEmpty()) {
      return;
    }
    String expected = "the same " + bytes(payload.length) + " back, as one datagram";
    List<byte[]> extra = x.unexpected().stream().map(Arrival::data).toList();
    if (extra.size() > 1 && Arrays.equals(concat(extra), payload)) {
      throw new CaseFailed(
          expected,
          "sent "
              + bytes(payload.length)
              + ", got them back split into "
              + extra.size()
              + " datagrams ("
              + sizes(extra.subList(0, Math.min(4, extra.size())), " + ")
              + (extra.size() > 4 ? " + ..." : "")
              + " bytes)",
          STREAM);
    }
    if (extra.stream().allMatch(e -> Arrays.equals(e, payload))) {
      throw new CaseFailed(
          "one echo for each datagram sent",
          "sent it " + times(x.tries()) + ", got " + x.arrived().size() + " echoes",
          "the server sends its reply more than once (sendto() in a loop, or a reply per"
              + " client it has seen)");
    }
    Mismatch m = mismatch(payload, extra.get(0));
    int more = extra.size() - 1;
    throw new CaseFailed(
        expected,
        "sent "
            + bytes(payload.length)
            + ", got back "
            + m.seen()
            + (more == 0 ? "" : " (and " + more + " more datagram" + (more == 1 ? "" : "s") + ")"),
        m.hint());
  }

  /**
   * The datagram sent that an unexpected one most looks like: one it is the start of, or that is
   * the start of it (a cut or an overlong echo), else the nearest in size.
   */
  private static byte[] closest(List<byte[]> sent, byte[] got) {
    for (byte[] s : sent) {
      if (startsWith(s, got) || startsWith(got, s)) {
        return s;
      }
    }
    return sent.stream()
        .min(Comparator.comparingInt(s -> Math.abs(s.length - got.length)))
        .orElseThrow();
  }

  /**
   * Nothing came back at all.
   *
   * @param hint "" for the case's own; {@link #NO_ECHO} where the case is about something else (a
   *     server that answers nothing fails basic for that)
   */
  private static CaseFailed noReply(
      Probe p, Exchange x, String expected, String what, String hint) {
    return new CaseFailed(
        expected,
        "no reply to "
            + what
            + " (sent "
            + times(x.tries())
            + " over "
            + Probe.seconds(x.waited())
            + ")"
            + serverGone(p),
        hint);
  }

  /**
   * How an echo differs from what was sent, and the bug that shape of difference points to.
   *
   * @param seen e.g. "1024 bytes: the first 1024 of ours, the rest cut off"
   * @param hint a more precise hint than the case's, or "" for the case's own
   */
  private record Mismatch(String seen, String hint) {}

  static Mismatch mismatch(byte[] sent, byte[] got) {
    int n = got.length;
    if (n == 0) {
      return new Mismatch("an empty datagram (0 bytes)", "");
    }
    if (sent.length == 0) {
      return new Mismatch(bytes(n) + " instead of nothing", SIZEOF);
    }
    int at = Arrays.mismatch(sent, got);
    if (at < 0) {
      return new Mismatch(bytes(n) + ", ours, once more than sent", "");
    }
    if (n < sent.length && at == n) {
      return indexOfNul(got) < 0 && sent[n] == 0
          ? new Mismatch(
              bytes(n) + ": ours up to the first NUL byte (offset " + n + "), the rest cut off",
              STRLEN)
          : new Mismatch(bytes(n) + ": the start of ours, the rest cut off", SMALL_BUFFER);
    }
    if (n > sent.length && at == sent.length) {
      return new Mismatch(bytes(n) + ": ours, then " + bytes(n - sent.length) + " more", SIZEOF);
    }
    if (n == sent.length) {
      return new Mismatch(
          String.format(
              Locale.ROOT,
              "%s, but byte %d differs (sent 0x%02x, got 0x%02x)",
              bytes(n),
              at,
              sent[at] & 0xff,
              got[at] & 0xff),
          "");
    }
    return new Mismatch(bytes(n) + " that differ from ours from byte " + at + " on", "");
  }

  // "; the server process has exited (status 139, SIGSEGV)" when --exec started it and it died.
  private static String serverGone(Probe p) {
    Launched l = p.launched();
    if (l == null || l.isAlive()) {
      return "";
    }
    int status = l.waitFor(Duration.ZERO);
    String signal =
        switch (status - 128) {
          case 6 -> ", SIGABRT";
          case 7 -> ", SIGBUS";
          case 8 -> ", SIGFPE";
          case 9 -> ", SIGKILL";
          case 11 -> ", SIGSEGV";
          case 13 -> ", SIGPIPE";
          case 15 -> ", SIGTERM";
          default -> "";
        };
    return "; the server process has exited (status " + status + signal + ")";
  }

  // Readable text, unique per case and seed: the payload of the cases about addresses.
  private static byte[] text(Probe p, String label) {
    byte[] nonce = new byte[8];
    p.random().nextBytes(nonce);
    return ("socklab check udp " + label + " " + HexFormat.of().formatHex(nonce))
        .getBytes(US_ASCII);
  }

  // Random binary bytes (NULs included, as real data has them), never socklab's discovery magic.
  private static byte[] payload(Probe p, int size) {
    byte[] b = new byte[size];
    p.random().nextBytes(b);
    if (size >= SOCKLAB_MAGIC.length && Arrays.equals(b, 0, 4, SOCKLAB_MAGIC, 0, 4)) {
      b[0] ^= 0x20;
    }
    return b;
  }

  // Burst datagram: the sequence number in 8 decimal digits, a space, then printable letters, 16
  // to 256 bytes in all. Text, so that this case measures loss alone (binary data is the other
  // cases' business); its first byte is a digit, never socklab's magic.
  private static byte[] sequenced(Probe p, int seq) {
    byte[] b = new byte[16 + p.random().nextInt(241)];
    byte[] head = String.format(Locale.ROOT, "%08d ", seq).getBytes(US_ASCII);
    System.arraycopy(head, 0, b, 0, head.length);
    for (int i = head.length; i < b.length; i++) {
      b[i] = (byte) ('a' + p.random().nextInt(26));
    }
    return b;
  }

  // The sequence number a burst echo starts with, or -1 if it starts with no 8 digits.
  private static int sequence(byte[] b) {
    if (b.length < 8) {
      return -1;
    }
    int seq = 0;
    for (int i = 0; i < 8; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return -1;
      }
      seq = seq * 10 + (b[i] - '0');
    }
    return seq;
  }

  private static byte[] filled(int size, int value) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    return prefix.length <= b.length
        && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static int indexOfNul(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String sizes(List<?> datagrams, String sep) {
    return datagrams.stream()
        .map(d -> Integer.toString(d instanceof Arrival a ? a.data().length : ((byte[]) d).length))
        .collect(Collectors.joining(sep));
  }

  private static String bytes(int n) {
    return String.format(Locale.ROOT, "%,d bytes", n);
  }

  private static String times(int n) {
    return switch (n) {
      case 1 -> "once";
      case 2 -> "twice";
      default -> n + " times";
    };
  }

  // e.g. "65,507-byte"
  private static String sized(int n) {
    return String.format(Locale.ROOT, "%,d-byte", n);
  }

  // --max-loss as given: "1%", "0.5%"
  private static String percent(Probe p) {
    String x = String.format(Locale.ROOT, "%.4g", p.options().maxLoss() * 100);
    return new BigDecimal(x).stripTrailingZeros().toPlainString() + "%";
  }
}
