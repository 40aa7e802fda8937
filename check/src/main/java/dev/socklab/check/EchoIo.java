package dev.socklab.check;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.socklab.client.Conn;
import dev.socklab.common.NetErrors;
import dev.socklab.common.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * What the echo cases share: reading an echo back and saying exactly how it ended, connecting with
 * a failure that says whether the server is still there, and the "two clients at once" probe that
 * the cases needing concurrency run first.
 */
final class EchoIo {
  /** Above this, an echo is not dumped read by read into the transcript, only summed up. */
  private static final int DUMPED = 64 * 1024;

  private static final Map<Integer, String> SIGNALS =
      Map.of(
          6, "SIGABRT",
          9, "SIGKILL",
          11, "SIGSEGV",
          13, "SIGPIPE: it wrote to a closed connection without ignoring SIGPIPE",
          15, "SIGTERM");

  private EchoIo() {}

  /** How reading an echo ended. */
  enum End {
    /** Every byte came back, as sent. */
    ALL,
    /** read() returned 0 (the server closed) before every byte came back. */
    EOF,
    /** Nothing more came for the whole wait. */
    TIMEOUT,
    /** The read failed: ECONNRESET and the like. */
    RESET,
    /** A byte came back that was not the one sent. */
    MISMATCH
  }

  /**
   * An echo read back.
   *
   * @param end how it ended
   * @param matched bytes that came back as sent, from the start (for MISMATCH: the index of the
   *     first byte that differs)
   * @param received bytes read in all (more than {@code matched} after a MISMATCH)
   * @param back the bytes read, {@code received} of them
   * @param waited the wait for each read
   * @param error for RESET, the errno and message
   */
  record Echo(End end, int matched, int received, byte[] back, Duration waited, String error) {
    /**
     * @return whether every byte came back as sent
     */
    boolean ok() {
      return end == End.ALL;
    }

    /**
     * @param sent what was sent
     * @return how it ended after how much, e.g. {@code got 100 of 400 bytes, then EOF}
     */
    String describe(byte[] sent) {
      return switch (end) {
        case ALL -> "got all " + sent.length + " bytes";
        case EOF -> "got " + matched + " of " + sent.length + " bytes, then EOF";
        case TIMEOUT ->
            matched == 0
                ? "got nothing within " + Probe.seconds(waited)
                : "got "
                    + matched
                    + " of "
                    + sent.length
                    + " bytes, then nothing for "
                    + Probe.seconds(waited);
        case RESET -> "got " + matched + " of " + sent.length + " bytes, then " + error;
        case MISMATCH -> mismatch(sent, this);
      };
    }
  }

  /**
   * Reads back the echo of {@code sent}, comparing as it goes, and stops at the first byte that
   * differs, at EOF, after {@code wait} without a byte, or on an error.
   *
   * @param p the probe (for the transcript)
   * @param c the connection
   * @param sent what was sent, all of which should come back
   * @param who names the connection, e.g. {@code "client 2"}
   * @param wait the longest wait for each read(2)
   * @return how it ended; never throws for the server's doing
   * @throws IOException if the connection cannot be read at all
   */
  static Echo readBack(Probe p, Conn c, byte[] sent, String who, Duration wait) throws IOException {
    c.readTimeout(wait); // SO_RCVTIMEO
    byte[] back = new byte[sent.length];
    boolean dump = sent.length <= DUMPED;
    InputStream in = c.in();
    int got = 0;
    try {
      while (got < sent.length) {
        int r = in.read(back, got, sent.length - got); // read(2)
        if (r < 0) {
          return note(p, who, new Echo(End.EOF, got, got, back, wait, ""));
        }
        if (dump) {
          p.received(who, back, got, r);
        }
        int bad = Arrays.mismatch(back, got, got + r, sent, got, got + r);
        got += r;
        if (bad >= 0) {
          int at = got - r + bad;
          got = readMore(c, back, got, at, p.scaled(Duration.ofMillis(500)));
          return note(p, who, new Echo(End.MISMATCH, at, got, back, wait, ""));
        }
      }
    } catch (SocketTimeoutException e) {
      return note(p, who, new Echo(End.TIMEOUT, got, got, back, wait, ""));
    } catch (IOException e) {
      return note(p, who, new Echo(End.RESET, got, got, back, wait, errno(e)));
    }
    return note(p, who, new Echo(End.ALL, got, got, back, wait, ""));
  }

  // After a wrong byte, a few more bytes tell a loss (the bytes sent later) from a change: read
  // once more if the last read ended too close to the wrong byte to tell.
  private static int readMore(Conn c, byte[] back, int got, int at, Duration wait) {
    if (got - at >= 64 || got == back.length) {
      return got;
    }
    try {
      c.readTimeout(wait);
      int r = c.in().read(back, got, back.length - got);
      return r > 0 ? got + r : got;
    } catch (IOException e) {
      return got; // what we have must do
    }
  }

  private static Echo note(Probe p, String who, Echo e) {
    if (e.back().length > DUMPED) {
      p.note(who + " got " + e.received() + " of " + e.back().length + " bytes: " + e.end());
    }
    return e;
  }

  /**
   * Writes {@code msg} and reads its echo.
   *
   * @param p the probe
   * @param c the connection
   * @param msg what to send
   * @param who names the connection
   * @param wait the longest wait for each read
   * @return how the echo ended
   * @throws IOException if the write fails
   */
  static Echo echo(Probe p, Conn c, byte[] msg, String who, Duration wait) throws IOException {
    c.out().write(msg); // write(2)
    p.sent(who, msg, 0, msg.length);
    return readBack(p, c, msg, who, wait);
  }

  /**
   * @param text ASCII text
   * @return its bytes
   */
  static byte[] ascii(String text) {
    return text.getBytes(US_ASCII);
  }

  // "byte N differs: ..." and, when the bytes after it are ones sent later, how many went missing.
  private static String mismatch(byte[] sent, Echo e) {
    int at = e.matched();
    String s =
        String.format(
            Locale.ROOT,
            "byte %d of %d differs: sent 0x%02x, got 0x%02x",
            at,
            sent.length,
            sent[at] & 0xff,
            e.back()[at] & 0xff);
    int lost = missingAt(sent, e.back(), at, e.received());
    return lost > 0
        ? s + " — " + lost + " bytes are missing there (what came next was sent after them)"
        : s;
  }

  /**
   * @return how many bytes of {@code sent} from {@code at} on are missing in {@code back} (the
   *     bytes {@code back} has from {@code at} are those sent that many bytes later), or -1 when
   *     that does not explain it
   */
  static int missingAt(byte[] sent, byte[] back, int at, int received) {
    int m = Math.min(32, received - at);
    if (m < 8) {
      return -1; // too few bytes to tell
    }
    for (int k = 1; at + k + m <= sent.length; k++) {
      if (Arrays.equals(back, at, at + m, sent, at + k, at + k + m)) {
        return k;
      }
    }
    return -1;
  }

  /**
   * A new connection; when none can be made, fails the case saying whether the server is gone.
   *
   * @param p the probe
   * @param who names the connection in the failure
   * @return the connection (closed when the case ends)
   * @throws IOException if connecting fails otherwise
   * @throws CaseFailed when connect(2) is refused or times out
   */
  static Conn connect(Probe p, String who) throws IOException {
    try {
      return p.connect(); // socket(2) + connect(2)
    } catch (UserError e) {
      throw new CaseFailed(
          "the server to accept " + who, who + " could not connect: " + why(e) + gone(p), "");
    }
  }

  /**
   * @param e a failed connect
   * @return its one line, without the "start one with" advice meant for the clients
   */
  static String why(UserError e) {
    String m = String.valueOf(e.getMessage());
    int cut = m.indexOf(" — ");
    return cut < 0 ? m : m.substring(0, cut);
  }

  /**
   * For failure messages: whether the server {@code --exec} started has ended. Waits up to 200 ms
   * (scaled) for it, since a server that has just died may not have been reaped yet.
   *
   * @param p the probe
   * @return {@code "; the server is not running any more (it was killed by ...)"} when {@code
   *     --exec} started it and it has ended, else ""
   */
  static String gone(Probe p) {
    Launched l = p.launched();
    if (l == null || l.waitFor(p.scaled(Duration.ofMillis(200))) < 0) {
      return "";
    }
    return "; the server is not running any more (it " + end(l) + ")";
  }

  /**
   * Fails the case at once when the server {@code --exec} started has ended in an earlier case:
   * every connection would fail, and the case's own hint would mislead.
   *
   * @param p the probe
   * @throws CaseFailed when the server is gone
   */
  static void requireAlive(Probe p) {
    Launched l = p.launched();
    if (l != null && !l.isAlive()) {
      throw new CaseFailed(
          "the server still running",
          "the server is not running any more: it " + end(l) + " during an earlier case",
          "an earlier case ended the server: the first FAIL above names the likely bug");
    }
  }

  // "was killed by signal 13 (SIGPIPE: ...)" or "exited with status 1".
  private static String end(Launched l) {
    int status = l.waitFor(Duration.ZERO);
    if (status > 128) {
      int sig = status - 128;
      return "was killed by signal "
          + sig
          + (SIGNALS.containsKey(sig) ? " (" + SIGNALS.get(sig) + ")" : "");
    }
    return "exited with status " + status;
  }

  /**
   * @param e a failed read or write
   * @return e.g. {@code "ECONNRESET (Connection reset)"}
   */
  static String errno(IOException e) {
    NetErrors.Errno n = NetErrors.errno(e);
    String m = NetErrors.message(e);
    return n == null ? m : n + " (" + m + ")";
  }

  /**
   * Whether the server serves two clients at once: client 1 has its line echoed and stays
   * connected, then client 2 must have its own echoed within {@link Probe#waitTime()}. Both are
   * closed before it returns.
   *
   * @param p the probe
   * @return true if client 2 was served; false if it got nothing while client 1 was connected
   * @throws CaseFailed if client 1 is not served at all, or client 2 gets something wrong
   * @throws IOException if a write fails
   */
  static boolean servesTwoAtOnce(Probe p) throws IOException {
    byte[] one = ascii("client 1 is here\n");
    byte[] two = ascii("client 2 is here\n");
    try (Conn c1 = connect(p, "client 1")) {
      Echo e1 = echo(p, c1, one, "client 1", p.waitTime());
      if (!e1.ok()) {
        throw new CaseFailed(
            "client 1's line echoed", "client 1 " + e1.describe(one), "see basic: no echo at all");
      }
      try (Conn c2 = connect(p, "client 2")) {
        Echo e2 = echo(p, c2, two, "client 2", p.waitTime());
        if (e2.end() == End.TIMEOUT && e2.matched() == 0) {
          return false;
        }
        if (!e2.ok()) {
          throw new CaseFailed(
              "client 2's line echoed while client 1 is connected",
              "client 2 " + e2.describe(two) + gone(p),
              "");
        }
        return true;
      }
    }
  }

  /**
   * @param n a count of bytes
   * @return e.g. {@code "3.2 MiB"}, {@code "100 KiB"}, {@code "17 bytes"}
   */
  static String size(long n) {
    if (n >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1 << 20));
    }
    return n >= 1 << 10
        ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
        : n + (n == 1 ? " byte" : " bytes");
  }
}
