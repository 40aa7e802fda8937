package dev.socklab.check;

import static dev.socklab.check.EchoIo.ascii;
import static dev.socklab.check.EchoIo.connect;
import static dev.socklab.check.EchoIo.echo;
import static dev.socklab.check.EchoIo.gone;
import static dev.socklab.check.EchoIo.readBack;
import static dev.socklab.check.EchoIo.size;

import dev.socklab.check.EchoIo.Echo;
import dev.socklab.check.EchoIo.End;
import dev.socklab.client.Conn;
import dev.socklab.common.UserError;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * The cases of a stream echo server (RFC 862), over TCP or AF_UNIX.
 *
 * <p>Order matters where a broken server cannot recover: {@code peer-reset} runs early, so that a
 * server SIGPIPE kills dies there, under its own name, not in whichever case first resets a
 * connection; {@code many-connections} runs last, since a server that leaks descriptors accepts
 * nobody after it. {@code blocked-peer} and {@code slowloris} need two clients served at once:
 * against a server that serves one at a time they SKIP and leave the verdict to {@code
 * concurrent-clients}, so that one bug fails one case.
 */
final class EchoCases {
  private EchoCases() {}

  /** The case hints that depend on how a case failed; the default one is in {@link #all()}. */
  static final String ITERATIVE =
      "the server serves one client at a time (read/write loop inside the accept loop, no thread"
          + " or select())";

  static final String EARLY_EOF =
      "the server closes on the peer's EOF before writing back what it read (read() returning 0"
          + " ends the input only: write what you still owe, then close())";
  static final String NO_EOF =
      "the server never closes after read() returns 0 (it loops on read() == 0, ignores it, or"
          + " never calls close()), so the client waits for EOF forever";
  static final String WAITS_FOR_MORE =
      "the server waits for more before echoing (a newline, or a full buffer: a loop that fills"
          + " it, or MSG_WAITALL): echo each read() as it comes";
  static final String WRONG_FD =
      "the server writes to the wrong descriptor (one buffer or descriptor shared by all"
          + " clients: a global in a threaded server, or the wrong fd after select())";
  static final String SILENT_PEER =
      "the server blocks in read() on a client that has sent nothing (it reads right after"
          + " accept(), or reads each client in turn without select())";
  static final String CHANGED =
      "the echo loop changes or loses bytes (a buffer reused or indexed wrong, or the rest of a"
          + " partial write() dropped)";
  static final String ONE_AT_A_TIME_SKIP =
      "the server serves one client at a time: see concurrent-clients";

  /**
   * @return every echo case, in the order they run (see the class comment for why this order)
   */
  static List<CheckCase> all() {
    return List.of(
        echoCase(
            "basic",
            "a line sent comes back, byte for byte",
            "the server does not write back what it reads (or writes to the wrong descriptor)",
            "read(2)/write(2): the echo loop",
            EchoCases::basic),
        echoCase(
            "binary",
            "all 256 byte values, NULs included and no newline at the end, come back byte for"
                + " byte",
            "the server treats the bytes as text: strlen()/strcpy()/printf(\"%s\") stop at the"
                + " first NUL, or it waits for a newline (fgets()); echo the n bytes read()"
                + " returned, as they are",
            "read(2)/write(2): bytes, not strings",
            EchoCases::binary),
        echoCase(
            "split-writes",
            "a message written one byte at a time, 10 ms apart, comes back whole",
            "the server treats one read() as one whole message (it reads once, or expects the"
                + " message in one read()): TCP is a byte stream, and read() returns whatever has"
                + " arrived so far",
            "TCP is a byte stream: read(2) returns what has arrived",
            EchoCases::splitWrites),
        echoCase(
            "large",
            "4 MiB of random bytes, written while the echo is read, come back byte for byte",
            "write() returned less than asked and the rest was dropped (partial writes: loop"
                + " until every byte is written)",
            "partial writes: write(2) may take fewer bytes than asked",
            EchoCases::large),
        echoCase(
            "half-close",
            "after the client's shutdown(SHUT_WR), every byte it sent comes back, then EOF",
            EARLY_EOF,
            "shutdown(2) and half-close",
            EchoCases::halfClose),
        echoCase(
            "peer-reset",
            "clients that reset their connection mid-echo do not stop the server from serving the"
                + " next one",
            "SIGPIPE kills the server (write to a reset peer without ignoring SIGPIPE /"
                + " MSG_NOSIGNAL), or ECONNRESET/EPIPE is treated as fatal instead of closing that"
                + " one client",
            "SIGPIPE, EPIPE and ECONNRESET",
            EchoCases::peerReset),
        echoCase(
            "concurrent-clients",
            "50 clients connected at once, their writes interleaved, each get their own bytes"
                + " back and no one else's",
            ITERATIVE,
            "serving many clients: fork(2), threads, select(2)",
            EchoCases::concurrentClients),
        echoCase(
            "blocked-peer",
            "a client that sends nothing, or sends much and never reads, does not stop another"
                + " client from being served",
            "a blocking write to one slow client stalls everyone (single-threaded/select() server"
                + " writing with blocking sockets: make them non-blocking and keep what write()"
                + " did not take, or use a thread per client)",
            "blocking I/O and select(2)",
            EchoCases::blockedPeer),
        echoCase(
            "slowloris",
            "50 clients each sending a byte a second do not stop a new client from being served"
                + " within 1 s",
            "the server reads a whole message from one client in a blocking loop once select()"
                + " says it is readable (until a newline or a full buffer), so one client that"
                + " trickles bytes holds up everyone: read what is there, keep it, go back to"
                + " select()",
            "select(2) and slow clients",
            EchoCases::slowloris),
        echoCase(
            "many-connections",
            MANY + " clients in a row, each connecting, echoing a line and closing, are all served",
            "close() missing for each accepted descriptor (fd leak: EMFILE after ~1024 clients)",
            "close(2) and the descriptor limit (EMFILE)",
            EchoCases::manyConnections));
  }

  // Every echo case first makes sure a server --exec started is still running (see requireAlive).
  private static CheckCase echoCase(
      String name, String proves, String hint, String topic, CheckCase.Body body) {
    return new CheckCase(
        name,
        Kind.ECHO,
        false,
        proves,
        hint,
        topic,
        p -> {
          EchoIo.requireAlive(p);
          return body.run(p);
        });
  }

  // ---- basic, binary, split-writes: one client, a few bytes ----

  private static Outcome basic(Probe p) throws Exception {
    Conn c = connect(p, "client");
    byte[] line = ascii("hello from socklab check\n");
    Echo e = echo(p, c, line, "client", p.waitTime());
    if (e.end() == End.MISMATCH) {
      return Outcome.fail(
          "the same " + line.length + " bytes back",
          e.describe(line),
          "the echo loop changes the bytes (a buffer reused or indexed wrong)");
    }
    if (!e.ok()) {
      throw new CaseFailed(line.length + " bytes back", "client " + e.describe(line), "");
    }
    return Outcome.pass();
  }

  private static Outcome binary(Probe p) throws Exception {
    // 0x00-0xff in order (a NUL first, for strlen()), then all 256 again shuffled; no final '\n'.
    byte[] msg = new byte[512];
    for (int i = 0; i < 256; i++) {
      msg[i] = (byte) i;
      msg[256 + i] = (byte) i;
    }
    for (int i = 511; i > 256; i--) {
      int j = 256 + p.random().nextInt(i - 255);
      byte t = msg[i];
      msg[i] = msg[j];
      msg[j] = t;
    }
    if (msg[511] == '\n') {
      msg[511] = msg[300];
      msg[300] = '\n';
    }
    Echo e = echo(p, connect(p, "client"), msg, "client", p.waitTime());
    if (!e.ok()) {
      throw new CaseFailed(
          "the same 512 bytes back (0x00-0xff twice, no newline at the end)",
          "client " + e.describe(msg),
          "");
    }
    return Outcome.pass();
  }

  private static Outcome splitWrites(Probe p) throws Exception {
    byte[] msg = ascii("twenty bytes, 1 by 1"); // no newline: nothing to wait for
    Conn c = connect(p, "client");
    for (int i = 0; i < msg.length; i++) {
      c.out().write(msg, i, 1); // write(fd, &msg[i], 1)
      p.sent("client", msg, i, 1);
      Thread.sleep(10); // the pause is the test: each byte arrives on its own
    }
    Echo e = readBack(p, c, msg, "client", p.waitTime());
    if (e.ok()) {
      return Outcome.pass();
    }
    String seen =
        "after " + msg.length + " one-byte writes 10 ms apart, the client " + e.describe(msg);
    String expected = "all " + msg.length + " bytes back";
    throw new CaseFailed(expected, seen, e.end() == End.TIMEOUT ? WAITS_FOR_MORE : "");
  }

  // ---- large, half-close: a writer thread and a reader, as a real client of a stream ----

  /** Bytes {@code large} sends. */
  static final int LARGE = 4 << 20;

  /**
   * {@code large} starts reading once this much is written, or the writer has stalled: more than
   * the server's socket buffers can hold unless it waits for the client to read.
   */
  private static final int READ_AFTER = 3 << 20;

  /** Bytes {@code half-close} sends before shutdown(SHUT_WR). */
  static final int HALF = 100 * 1024;

  /**
   * A thread that writes {@code data} in 64 KiB write()s and counts what the kernel took, then
   * optionally shuts down its side; a write error ends it and is kept.
   */
  private static final class Writer {
    final AtomicLong written = new AtomicLong();
    final AtomicReference<IOException> error = new AtomicReference<>();
    final CountDownLatch done = new CountDownLatch(1);
    final CountDownLatch wroteEnough;
    volatile boolean stop;

    Writer(Probe p, Conn c, String who, byte[] data, long enough, boolean shutdown) {
      wroteEnough = new CountDownLatch(1);
      Thread.ofVirtual()
          .name("writer-" + who)
          .start(
              () -> {
                try {
                  for (int off = 0; off < data.length && !stop; off += 64 * 1024) {
                    int n = Math.min(64 * 1024, data.length - off);
                    c.out().write(data, off, n); // write(2), looped until all n are taken
                    if (written.addAndGet(n) >= enough) {
                      wroteEnough.countDown();
                    }
                  }
                  p.note(who + " wrote " + written.get() + " bytes");
                  if (shutdown) {
                    c.shutdownOutput(); // shutdown(fd, SHUT_WR): EOF for the server
                    p.note(who + ": shutdown(SHUT_WR)");
                  }
                } catch (IOException e) {
                  error.set(e);
                  p.note(who + ": write failed after " + written.get() + ": " + e);
                } finally {
                  wroteEnough.countDown();
                  done.countDown();
                }
              });
    }

    /** What the writer had done, for a failure message, e.g. "the client wrote all 100 bytes". */
    String state(String who, int total) {
      IOException e = error.get();
      if (e != null) {
        return who + "'s write() failed after " + written.get() + " bytes: " + EchoIo.errno(e);
      }
      return done.getCount() == 0
          ? who + " wrote all " + total + " bytes"
          : who + "'s write() was still blocked after " + written.get() + " of " + total + " bytes";
    }

    /**
     * Waits until {@code enough} bytes are written, or no write() has completed for 100 ms (scaled:
     * the writer is blocked, the buffers are full), or 3 s (scaled) have passed.
     */
    void awaitEnoughOrStalled(Probe p) throws InterruptedException {
      long quiet = p.scaled(Duration.ofMillis(100)).toMillis();
      long deadline = System.nanoTime() + p.scaled(Duration.ofSeconds(3)).toNanos();
      long before = -1;
      while (!wroteEnough.await(quiet, TimeUnit.MILLISECONDS)
          && written.get() != before
          && System.nanoTime() - deadline < 0) {
        before = written.get();
      }
    }

    /** Waits for the writer to end, no longer than {@code d}. */
    boolean await(Duration d) throws InterruptedException {
      return done.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static Outcome large(Probe p) throws Exception {
    byte[] data = new byte[LARGE];
    p.random().nextBytes(data);
    Conn c = connect(p, "client");
    Writer w = new Writer(p, c, "client", data, READ_AFTER, false);
    // The reader starts late on purpose: meanwhile the socket buffers fill, so the server's write()
    // must wait (or, on a non-blocking socket, take fewer bytes than asked) before all is echoed.
    w.awaitEnoughOrStalled(p);
    Echo e = readBack(p, c, data, "client", p.waitTime());
    if (e.ok()) {
      return Outcome.pass();
    }
    String seen = "the client " + e.describe(data) + "; " + w.state("the client", LARGE) + gone(p);
    String expected = "all " + LARGE + " bytes (4 MiB) back, byte for byte";
    if (e.end() == End.TIMEOUT && e.matched() == 0 && w.done.getCount() == 0) {
      throw new CaseFailed(
          expected,
          seen,
          "the server reads without echoing (it waits for all the input, or for EOF): echo"
              + " each read() as it comes");
    }
    throw new CaseFailed(expected, seen, "");
  }

  private static Outcome halfClose(Probe p) throws Exception {
    byte[] data = new byte[HALF];
    p.random().nextBytes(data);
    Conn c = connect(p, "client");
    Writer w = new Writer(p, c, "client", data, Long.MAX_VALUE, true);
    Echo e = readBack(p, c, data, "client", p.waitTime());
    String expected = "all " + HALF + " bytes (100 KiB) back after the client's shutdown(SHUT_WR)";
    if (e.ok()) {
      return expectEof(p, c, data.length);
    }
    boolean shut = w.await(Duration.ZERO) && w.error.get() == null;
    String seen =
        w.state("the client", HALF)
            + (shut ? " and called shutdown(SHUT_WR)" : "")
            + "; it "
            + e.describe(data)
            + gone(p);
    String hint =
        switch (e.end()) {
          case EOF, RESET -> EARLY_EOF;
          case TIMEOUT ->
              shut
                  ? "the server stops echoing at the client's EOF without closing (it holds back"
                      + " what it read, or read() returning 0 ends its echo loop but not the"
                      + " connection): write what you still owe, then close()"
                  : "";
          default -> CHANGED;
        };
    throw new CaseFailed(expected, seen, hint);
  }

  // After the whole echo: read() must return 0 (the server's close() or shutdown(SHUT_WR)).
  private static Outcome expectEof(Probe p, Conn c, int echoed) throws IOException {
    byte[] buf = new byte[4096];
    try {
      int n = c.in().read(buf); // read(2): 0 is EOF, -1 in Java
      if (n > 0) {
        p.received("client", buf, 0, n);
        throw new CaseFailed(
            "EOF after the echo",
            "the client got " + n + " bytes more than it sent",
            "the server writes more than it read (a whole buffer instead of the n bytes read()"
                + " returned)");
      }
    } catch (SocketTimeoutException e) {
      throw new CaseFailed(
          "EOF (read() returning 0) once everything was echoed",
          "the client got all "
              + echoed
              + " bytes back, then no EOF within "
              + Probe.seconds(p.waitTime()),
          NO_EOF);
    } catch (IOException e) {
      throw new CaseFailed(
          "EOF (read() returning 0) once everything was echoed",
          "the client got all " + echoed + " bytes back, then " + EchoIo.errno(e),
          "the server closes with unread data or SO_LINGER 0 (RST instead of FIN)");
    }
    return Outcome.pass();
  }

  // ---- peer-reset ----

  private static Outcome peerReset(Probe p) throws Exception {
    boolean tcp = p.target() instanceof Target.Tcp;
    String reset = tcp ? "reset its connection (RST)" : "closed with unread data";
    // Three ways to go: while the server is blocked writing to the client (the surest way to
    // have it write again after the reset: SIGPIPE); mid-echo of 1 MiB; right after a line the
    // server is about to echo. Each time, another client must then be served.
    EchoHog hog = EchoHog.start(p, connect(p, "client 1"), "client 1");
    long stalledAt = hog.awaitStall(p);
    String what =
        stalledAt >= 0
            ? "wrote " + size(stalledAt) + " without reading until the server stopped reading it"
            : "wrote " + size(hog.written()) + " without reading";
    p.note("client 1: " + (tcp ? "SO_LINGER 0, close(): RST" : "close()"));
    hog.reset(p); // while the server is blocked in write() to it
    servedAfterReset(p, "client 1b", "client 1 " + what + ", then " + reset);
    resetMidEcho(p, "client 2", reset);
    resetAfterLine(p, "client 3", reset);
    // The server meets the last reset when it next writes to that client, a moment later.
    Thread.sleep(100);
    servedAfterReset(p, "client 4", "client 3 " + reset + " 100 ms before");
    if (p.launched() != null && !p.launched().isAlive()) {
      throw new CaseFailed("the server still running", "after 3 resets" + gone(p), "");
    }
    return Outcome.pass(
        tcp
            ? ""
            : "AF_UNIX has no RST: the clients closed with unread data instead, which Linux"
                + " reports to the server as ECONNRESET (read) and EPIPE (write) alike");
  }

  // A client writes 1 MiB, reads the first byte of its echo, and resets while the server still
  // echoes the rest; then a new client must be served.
  private static void resetMidEcho(Probe p, String who, String reset) throws Exception {
    Conn c = connect(p, who);
    byte[] data = new byte[1 << 20];
    p.random().nextBytes(data);
    Writer w = new Writer(p, c, who, data, Long.MAX_VALUE, false);
    c.readTimeout(p.waitTime());
    try {
      if (c.in().read(new byte[1]) <= 0) { // read(fd, &b, 1)
        throw new CaseFailed("an echo", who + " wrote 1 MiB and got EOF instead" + gone(p), "");
      }
    } catch (SocketTimeoutException e) {
      throw new CaseFailed(
          "an echo",
          who + " wrote 1 MiB and got nothing back in " + Probe.seconds(p.waitTime()),
          "see large: the server does not echo a big write");
    }
    w.stop = true; // a write() still blocked ends when reset() closes the socket
    resetNow(p, c, who);
    servedAfterReset(p, who + "b", who + " wrote 1 MiB, read 1 byte of the echo, then " + reset);
  }

  // A client has a line echoed, sends another and resets at once: the server reads that line
  // and writes it to a connection that is gone.
  private static void resetAfterLine(Probe p, String who, String reset) throws Exception {
    Conn c = connect(p, who);
    byte[] line = ascii("a line, then goodbye\n");
    Echo e = echo(p, c, line, who, p.waitTime());
    if (!e.ok()) {
      throw new CaseFailed(
          "the line echoed", who + " " + e.describe(line), "see basic: no echo at all");
    }
    c.out().write(line); // write(2)
    resetNow(p, c, who);
    servedAfterReset(p, who + "b", who + " had a line echoed, sent another and at once " + reset);
  }

  private static void resetNow(Probe p, Conn c, String who) throws IOException {
    p.note(
        who + ": " + (p.target() instanceof Target.Tcp ? "SO_LINGER 0, close(): RST" : "close()"));
    c.reset(); // setsockopt(SO_LINGER, {1, 0}) + close(2): RST on TCP
  }

  private static void servedAfterReset(Probe p, String who, String after) throws IOException {
    byte[] line = ascii("still there?\n");
    Conn c;
    try {
      c = p.connect();
    } catch (UserError e) {
      throw new CaseFailed(
          "the next client served",
          "after " + after + ", the next client could not connect: " + EchoIo.why(e) + gone(p),
          "");
    }
    Echo e = echo(p, c, line, who, p.waitTime());
    if (!e.ok()) {
      throw new CaseFailed(
          "the next client served",
          "after " + after + ", the next client " + e.describe(line) + gone(p),
          "");
    }
    c.close();
  }

  // ---- concurrent-clients ----

  /** Clients {@code concurrent-clients} and {@code slowloris} hold at once. */
  static final int CLIENTS = 50;

  private static final int ROUNDS = 4;

  private static Outcome concurrentClients(Probe p) throws Exception {
    // First the plainest form, so that a server serving one client at a time hears exactly that.
    if (!EchoIo.servesTwoAtOnce(p)) {
      return Outcome.fail(
          "client 2 echoed while client 1 stays connected",
          "client 2 got nothing within "
              + Probe.seconds(p.waitTime())
              + " while client 1 (already echoed) stayed connected",
          ITERATIVE);
    }
    byte[][] sent = new byte[CLIENTS][];
    byte[][][] parts = new byte[CLIENTS][ROUNDS][];
    for (int k = 0; k < CLIENTS; k++) {
      StringBuilder all = new StringBuilder();
      for (int r = 0; r < ROUNDS; r++) {
        String part = String.format("[client %02d part %d %s]", k + 1, r + 1, letters(p, 16));
        parts[k][r] = ascii(part);
        all.append(part);
      }
      sent[k] = ascii(all.toString());
    }
    List<Conn> conns = new ArrayList<>();
    for (int k = 0; k < CLIENTS; k++) {
      conns.add(connect(p, "client " + (k + 1) + " of " + CLIENTS));
    }
    // Interleaved: part 1 of every client, then part 2 of every client, and so on.
    for (int r = 0; r < ROUNDS; r++) {
      for (int k = 0; k < CLIENTS; k++) {
        conns.get(k).out().write(parts[k][r]);
        p.sent("client " + (k + 1), parts[k][r], 0, parts[k][r].length);
      }
    }
    List<Echo> echoes = readAll(p, conns, sent);
    int full = (int) echoes.stream().filter(Echo::ok).count();
    // Wrong bytes say more than missing ones (those went to someone else): report them first.
    List<Integer> order =
        IntStream.range(0, CLIENTS)
            .boxed()
            .sorted(Comparator.comparing(k -> echoes.get(k).end() != End.MISMATCH))
            .toList();
    for (int k : order) {
      Echo e = echoes.get(k);
      if (e.ok()) {
        continue;
      }
      String seen =
          "client "
              + (k + 1)
              + " "
              + e.describe(sent[k])
              + " ("
              + full
              + " of "
              + CLIENTS
              + " clients got their whole echo)";
      String expected = "each of " + CLIENTS + " clients its own " + sent[0].length + " bytes";
      if (e.end() == End.MISMATCH) {
        int from = whoSent(sent, k, e);
        if (from >= 0) {
          return Outcome.fail(
              expected,
              "client "
                  + (k + 1)
                  + " got bytes that client "
                  + (from + 1)
                  + " sent ("
                  + full
                  + " of "
                  + CLIENTS
                  + " clients got their whole echo)",
              WRONG_FD);
        }
        return Outcome.fail(expected, seen, WRONG_FD);
      }
      return Outcome.fail(
          expected,
          seen + gone(p),
          full > 0
              ? "the server serves only some clients at once (a fixed number of threads or"
                  + " processes, or a select() loop that stops accepting)"
              : "two clients at once work, "
                  + CLIENTS
                  + " do not: the server runs out of"
                  + " threads, processes or select() slots (check what fork(),"
                  + " pthread_create() and accept() return)");
    }
    return Outcome.pass();
  }

  // Every client's echo, read on a virtual thread each, so that the slow ones wait together.
  private static List<Echo> readAll(Probe p, List<Conn> conns, byte[][] sent) throws Exception {
    List<Future<Echo>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int k = 0; k < conns.size(); k++) {
        Conn c = conns.get(k);
        byte[] s = sent[k];
        String who = "client " + (k + 1);
        futures.add(pool.submit(() -> readBack(p, c, s, who, p.waitTime())));
      }
    }
    List<Echo> echoes = new ArrayList<>();
    for (Future<Echo> f : futures) {
      echoes.add(f.get());
    }
    return echoes;
  }

  // The client whose bytes client k got at its first wrong byte, or -1.
  private static int whoSent(byte[][] sent, int k, Echo e) {
    int n = Math.min(12, e.received() - e.matched());
    if (n < 6) {
      return -1;
    }
    byte[] got = Arrays.copyOfRange(e.back(), e.matched(), e.matched() + n);
    for (int j = 0; j < sent.length; j++) {
      if (j != k && indexOf(sent[j], got) >= 0) {
        return j;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] in, byte[] what) {
    for (int i = 0; i + what.length <= in.length; i++) {
      if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    return -1;
  }

  private static String letters(Probe p, int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      s.append((char) ('a' + p.random().nextInt(26)));
    }
    return s.toString();
  }

  // ---- blocked-peer ----

  private static Outcome blockedPeer(Probe p) throws Exception {
    if (!EchoIo.servesTwoAtOnce(p)) {
      return Outcome.skip(ONE_AT_A_TIME_SKIP);
    }
    byte[] line = ascii("anyone there?\n");
    // (a) A client that connects and sends nothing.
    Conn silent = connect(p, "client 1 (silent)");
    try (Conn other = connect(p, "client 2")) {
      Echo e = echo(p, other, line, "client 2", p.waitTime());
      if (!e.ok()) {
        throw new CaseFailed(
            "client 2 served while client 1 is connected and silent",
            "client 2 " + e.describe(line) + " while client 1 had connected and sent nothing",
            SILENT_PEER);
      }
    } finally {
      silent.close(); // close(2): it leaves without a byte, as it came
    }
    // (b) A client that sends a lot and never reads: the server's writes to it fill its buffers.
    EchoHog hog = EchoHog.start(p, connect(p, "client 1 (never reads)"), "client 1");
    try {
      long stalledAt = hog.awaitStall(p);
      String hogState =
          stalledAt >= 0
              ? "client 1 had written "
                  + size(stalledAt)
                  + ", read none of its echo, and its write() had blocked (the server had"
                  + " stopped reading it)"
              : "client 1 was writing without reading any of its echo";
      try (Conn other = connect(p, "client 2")) {
        Echo e = echo(p, other, line, "client 2", p.waitTime());
        if (!e.ok()) {
          throw new CaseFailed(
              "client 2 served while client 1 sends much and reads nothing",
              "client 2 " + e.describe(line) + ", while " + hogState + gone(p),
              "");
        }
      }
    } finally {
      hog.drainAndClose(p);
    }
    return Outcome.pass();
  }

  // ---- slowloris ----

  private static Outcome slowloris(Probe p) throws Exception {
    if (!EchoIo.servesTwoAtOnce(p)) {
      return Outcome.skip(ONE_AT_A_TIME_SKIP);
    }
    List<Conn> slow = new ArrayList<>();
    for (int k = 0; k < CLIENTS; k++) {
      slow.add(connect(p, "slow client " + (k + 1)));
    }
    CountDownLatch twoSeconds = new CountDownLatch(3);
    // One byte from every slow client, every second: a pause that is the test itself.
    Thread trickler =
        Thread.ofVirtual()
            .name("trickler")
            .start(
                () -> {
                  try {
                    for (int round = 0; round < 5; round++) {
                      for (Conn c : slow) {
                        try {
                          c.out().write('a' + round); // write(fd, &b, 1)
                        } catch (IOException e) {
                          // the server dropped a slow client: allowed, the new one is the test
                        }
                      }
                      twoSeconds.countDown();
                      Thread.sleep(1000);
                    }
                  } catch (InterruptedException e) {
                    // done
                  }
                });
    try {
      twoSeconds.await(p.scaled(Duration.ofSeconds(5)).toMillis(), TimeUnit.MILLISECONDS);
      p.note(CLIENTS + " slow clients have sent 3 bytes each, 1 s apart");
      byte[] line = ascii("let me in\n");
      Duration prompt = p.scaled(Duration.ofSeconds(1));
      Echo e = echo(p, connect(p, "new client"), line, "new client", prompt);
      if (!e.ok()) {
        throw new CaseFailed(
            "a new client served within " + Probe.seconds(prompt),
            "the new client "
                + e.describe(line)
                + " while "
                + CLIENTS
                + " clients sent a byte a second (3 each so far)"
                + gone(p),
            "");
      }
    } finally {
      trickler.interrupt();
      trickler.join(p.waitTime());
    }
    return Outcome.pass();
  }

  // ---- many-connections ----

  /** Connections {@code many-connections} makes, one after another. */
  static final int MANY = 2000;

  private static Outcome manyConnections(Probe p) throws Exception {
    Launched l = p.launched();
    int fdsBefore = l == null ? -1 : l.fdCount();
    for (int i = 1; i <= MANY; i++) {
      byte[] line = ascii(String.format("connection %04d\n", i));
      String before =
          i == 1 ? "" : " (connections 1-" + (i - 1) + " were echoed and closed" + fds(l) + ")";
      Conn c;
      try {
        c = p.target().connect(p.waitTime()); // not p.connect(): closed right here, each one
      } catch (UserError e) {
        throw new CaseFailed(
            MANY + " connections served",
            "connection "
                + i
                + " of "
                + MANY
                + " could not connect: "
                + EchoIo.why(e)
                + before
                + gone(p),
            "");
      }
      try (c) {
        Echo e = echo(p, c, line, "connection " + i, p.waitTime());
        if (!e.ok()) {
          throw new CaseFailed(
              MANY + " connections served",
              "connection "
                  + i
                  + " of "
                  + MANY
                  + " connected but "
                  + e.describe(line)
                  + before
                  + gone(p),
              "");
        }
      }
    }
    if (fdsBefore >= 0) {
      // A server with a high descriptor limit survives 2000 leaks: its /proc/PID/fd tells.
      int after = l.fdCount();
      if (after - fdsBefore > MANY / 2) {
        return Outcome.fail(
            "the server's open descriptors back to about " + fdsBefore,
            "they grew from " + fdsBefore + " to " + after + " over " + MANY + " connections",
            "");
      }
    }
    return Outcome.pass();
  }

  private static String fds(Launched l) {
    int n = l == null ? -1 : l.fdCount();
    return n < 0 ? "" : "; the server now has " + n + " descriptors open";
  }
}
