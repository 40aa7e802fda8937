package dev.socklab.check;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.socklab.client.Conn;
import dev.socklab.common.NetErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One member of a chat room as the chat cases see it: a connection to the server and, unless it is
 * a silent member (one that never reads), a virtual thread that reads it and keeps every line it
 * got, so that a case can wait for "a line containing this marker" with a deadline. Lines are
 * decoded as UTF-8 (bytes that are not valid UTF-8 become U+FFFD) once they are whole, without the
 * {@code \n} (and a {@code \r} before it).
 *
 * <p>A server may prefix relayed lines ({@code [nick] }) or not, and may send notices of its own,
 * so a case looks for lines that contain its own random markers and ignores every other line.
 */
final class ChatMember {
  /** Reads and writes shown in the {@code --verbose} transcript per member: floods are long. */
  private static final int LOGGED = 24;

  private final Probe probe;
  private final String name;
  private final Conn conn;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<String> lines = new ArrayList<>();
  private String ended; // how the connection ended, while reading; null while it is open
  private long endedAt;
  private volatile boolean closing; // the case itself closes or resets it: not the server's doing
  private int logged;

  private ChatMember(Probe probe, String name, Conn conn) {
    this.probe = probe;
    this.name = name;
    this.conn = conn;
  }

  /**
   * Connects a new member.
   *
   * @param p the case's probe (the connection is closed when the case ends)
   * @param number the member's number, from 1, as messages name it ({@code "member 3"})
   * @param reading whether it reads; a silent member never does (its buffers fill up)
   * @return the member
   * @throws CaseFailed if connect(2) fails
   */
  static ChatMember connect(Probe p, int number, boolean reading) {
    String name = "member " + number;
    Conn c;
    try {
      c = p.connect();
      // The cases bound every wait themselves; the reader just waits for bytes until the case ends.
      c.readTimeout(p.scaled(Runner.CASE_LIMIT));
    } catch (IOException | RuntimeException e) {
      NetErrors.Errno errno = NetErrors.errno(e);
      if (errno == NetErrors.Errno.ECONNREFUSED) {
        throw new CaseFailed(
            "the server listening",
            name + "'s connect() was refused (ECONNREFUSED): nobody listens any more" + exit(p),
            "the server is gone: an earlier case killed it (see the first FAIL), or it closed its"
                + " listening socket");
      }
      throw new CaseFailed(
          "every member can connect",
          name + "'s connect() failed: " + (errno == null ? "" : errno + ": ") + e.getMessage(),
          "the server stops accepting: a fixed-size client array that is full, FD_SETSIZE, or a"
              + " listen() backlog that is too small");
    }
    ChatMember m = new ChatMember(p, name, c);
    if (reading) {
      Thread.ofVirtual().name("chat-" + name.replace(' ', '-')).start(m::readLoop);
    }
    return m;
  }

  /**
   * @return how messages name it, e.g. {@code "member 3"}
   */
  String name() {
    return name;
  }

  /**
   * Sends one line ({@code text} and {@code \n}) in one write.
   *
   * @param text the line, without its terminator
   * @throws CaseFailed if the write fails (e.g. EPIPE: the server closed the connection)
   */
  void send(String text) {
    write((text + "\n").getBytes(UTF_8));
  }

  /**
   * Writes bytes as they are, in one write: a piece of a line, or several lines.
   *
   * @param b the bytes
   * @throws CaseFailed if the write fails (e.g. EPIPE: the server closed the connection)
   */
  void write(byte[] b) {
    try {
      conn.out().write(b);
      conn.out().flush();
    } catch (IOException e) {
      NetErrors.Errno errno = NetErrors.errno(e);
      throw new CaseFailed(
          "the server keeps every member's connection open",
          name
              + "'s write failed: "
              + (errno != null ? errno.name() : e.getMessage())
              + " (the server closed or reset its connection)"
              + exit(probe),
          "");
    }
    if (log()) {
      probe.sent(name, b, 0, b.length);
    }
  }

  /** Aborts the connection with RST (SO_LINGER 0, close). */
  void reset() throws IOException {
    closing = true;
    conn.reset();
    probe.note(name + ": close() with SO_LINGER 0 (RST)");
  }

  /**
   * Waits for the first line that contains {@code marker} (one that came earlier counts too).
   *
   * @param marker text unique to the line waited for
   * @param deadline {@link System#nanoTime()} after which it gives up
   * @return the line, or null if none came by the deadline or the connection ended first
   * @throws InterruptedException if the case is ended from outside
   */
  String await(String marker, long deadline) throws InterruptedException {
    Watch w = watch(marker);
    return w.await(1, deadline) == 1 ? w.found.getFirst() : null;
  }

  /**
   * @param marker text unique to the lines wanted
   * @return a watch that collects them, in the order they came, as a case waits for them
   */
  Watch watch(String marker) {
    return new Watch(marker);
  }

  /**
   * @param marker text unique to a line
   * @return whether a line containing it has come (does not wait)
   */
  boolean saw(String marker) {
    lock.lock();
    try {
      return lines.stream().anyMatch(l -> l.contains(marker));
    } finally {
      lock.unlock();
    }
  }

  /**
   * @return whether the server closed or reset the connection (its reader saw EOF or an error)
   */
  boolean hasEnded() {
    lock.lock();
    try {
      return ended != null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * @param p the probe
   * @return "" unless check started the server ({@code --exec}) and it has exited (or does within
   *     200 ms): then e.g. {@code "; the server exited with status 141 (SIGPIPE)"}
   */
  static String exit(Probe p) {
    Launched l = p.launched();
    int status = l == null ? -1 : l.waitFor(p.scaled(Duration.ofMillis(200)));
    if (status < 0) {
      return "";
    }
    String signal =
        switch (status - 128) {
          case 6 -> " (SIGABRT)";
          case 9 -> " (SIGKILL)";
          case 11 -> " (SIGSEGV)";
          case 13 -> " (SIGPIPE)";
          case 15 -> " (SIGTERM)";
          default -> "";
        };
    return "; the server exited with status " + status + signal;
  }

  /**
   * @param since {@link System#nanoTime()} of the event messages measure from
   * @return "" while the connection is open, else e.g. {@code "; the server closed member 2's
   *     connection (EOF) 3 ms after that"}, to append to a failure
   */
  String endNote(long since) {
    String how;
    long ms;
    lock.lock();
    try {
      if (ended == null) {
        return "";
      }
      how = ended;
      ms = TimeUnit.NANOSECONDS.toMillis(endedAt - since);
    } finally {
      lock.unlock();
    }
    return "; "
        + name
        + "'s connection ended: "
        + how
        + (ms >= 0 ? ", " + ms + " ms after that" : ", before that")
        + exit(probe);
  }

  /**
   * Lines containing one marker, collected as they come. Each watch scans every line once, so
   * counting a flood of lines costs no more than reading it.
   */
  final class Watch {
    private final String marker;
    private final List<String> found = new ArrayList<>();
    private int cursor;
    private int stepFrom; // lines found when awaitSteadily's last step began

    private Watch(String marker) {
      this.marker = marker;
    }

    /**
     * Waits until {@code n} lines with the marker have come, the deadline passes or the connection
     * ends.
     *
     * @param n lines wanted in all
     * @param deadline {@link System#nanoTime()} after which it gives up
     * @return lines with the marker so far
     * @throws InterruptedException if the case is ended from outside
     */
    int await(int n, long deadline) throws InterruptedException {
      lock.lock();
      try {
        while (true) {
          for (; cursor < lines.size() && found.size() < n; cursor++) {
            if (lines.get(cursor).contains(marker)) {
              found.add(lines.get(cursor));
            }
          }
          long left = deadline - System.nanoTime();
          if (found.size() >= n || left <= 0 || ended != null && cursor == lines.size()) {
            return found.size();
          }
          arrived.awaitNanos(left);
        }
      } finally {
        lock.unlock();
      }
    }

    /**
     * Waits for {@code n} lines with the marker, as long as they keep coming: at least {@code step}
     * more (or the rest) within every {@code idle}, and all of them by {@code deadline}.
     *
     * @param n lines wanted in all
     * @param step lines that must come within each {@code idle}; 1 = every line
     * @param idle the longest wait for the next {@code step} lines
     * @param deadline {@link System#nanoTime()} by which all must have come
     * @return lines with the marker so far
     * @throws InterruptedException if the case is ended from outside
     */
    int awaitSteadily(int n, int step, Duration idle, long deadline) throws InterruptedException {
      while (found.size() < n) {
        stepFrom = found.size();
        int want = Math.min(n, stepFrom + step);
        long until = System.nanoTime() + idle.toNanos();
        if (await(want, until - deadline < 0 ? until : deadline) < want) {
          break;
        }
      }
      return found.size();
    }

    /**
     * @return lines found when {@link #awaitSteadily}'s last step began: the lines before a stall
     */
    int stepFrom() {
      return stepFrom;
    }

    /**
     * @return the lines with the marker found so far, in the order they came
     */
    List<String> found() {
      return found;
    }
  }

  // The reader: splits the byte stream into lines and wakes up whoever waits for one.
  private void readLoop() {
    byte[] buf = new byte[64 * 1024];
    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    try {
      InputStream in = conn.in();
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          continue; // only the case's own deadlines count
        }
        if (n < 0) {
          end("EOF (the server closed it)");
          return;
        }
        if (log()) {
          probe.received(name, buf, 0, n);
        }
        List<String> got = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            partial.write(buf, start, i - start);
            got.add(decode(partial.toByteArray()));
            partial.reset();
            start = i + 1;
          }
        }
        partial.write(buf, start, n - start);
        if (!got.isEmpty()) {
          add(got);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        NetErrors.Errno errno = NetErrors.errno(e);
        end(errno != null ? errno.name() : String.valueOf(e.getMessage()));
      }
    }
  }

  private static String decode(byte[] line) {
    int len = line.length;
    if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    return new String(line, 0, len, UTF_8);
  }

  private void add(List<String> got) {
    lock.lock();
    try {
      lines.addAll(got);
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void end(String how) {
    lock.lock();
    try {
      ended = how;
      endedAt = System.nanoTime();
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    probe.note(name + ": " + how);
  }

  // Whether this read or write still goes into the transcript; past the cap one note says so.
  private synchronized boolean log() {
    logged++;
    if (logged == LOGGED + 1) {
      probe.note(name + ": further reads and writes not shown");
    }
    return logged <= LOGGED;
  }
}
