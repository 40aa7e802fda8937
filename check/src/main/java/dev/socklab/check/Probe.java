package dev.socklab.check;

import dev.socklab.client.Conn;
import dev.socklab.common.Trace;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a case works with: connections to the target (closed when the case ends), deadlines
 * stretched by {@code --timeout-scale}, a random source seeded by {@code --seed} and the case's
 * name (so every payload is reproducible), and a transcript of the bytes exchanged that {@code
 * --verbose} prints when the case fails. One probe per case; not shared between threads except for
 * {@link #connect()}, {@link #udpSocket()} and the transcript, which are thread-safe.
 */
public final class Probe implements AutoCloseable {
  /** The default wait for one reply, before {@code --timeout-scale}. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);

  private final Target target;
  private final Options options;
  private final Launched launched;
  private final SplittableRandom random;
  private final List<Closeable> open = new ArrayList<>();
  private final List<String> transcript = new ArrayList<>();

  /**
   * What the command line says that cases need.
   *
   * @param timeoutScale every deadline is multiplied by this, 0.1-100
   * @param seed the base of every payload's random source
   * @param verbose keep a transcript of the bytes exchanged
   * @param selfEcho chat: the server also sends a line back to its sender
   * @param maxLoss udp burst: the share of datagrams that may be lost, 0-1
   */
  public record Options(
      double timeoutScale, long seed, boolean verbose, boolean selfEcho, double maxLoss) {}

  Probe(Target target, Options options, Launched launched, String caseName) {
    this.target = target;
    this.options = options;
    this.launched = launched;
    this.random = new SplittableRandom(options.seed() * 31 + caseName.hashCode());
  }

  /**
   * @return the server under check
   */
  public Target target() {
    return target;
  }

  /**
   * @return the command-line options cases read
   */
  public Options options() {
    return options;
  }

  /**
   * @return the server {@code --exec} started, or null when check did not start it
   */
  public Launched launched() {
    return launched;
  }

  /**
   * @return this case's random source: the same bytes for the same {@code --seed}
   */
  public SplittableRandom random() {
    return random;
  }

  /**
   * @param base a deadline as a fast machine needs it
   * @return {@code base} times {@code --timeout-scale}
   */
  public Duration scaled(Duration base) {
    return Duration.ofNanos((long) (base.toNanos() * options.timeoutScale()));
  }

  /**
   * @return the wait for one reply: 5 s, scaled
   */
  public Duration waitTime() {
    return scaled(DEFAULT_WAIT);
  }

  /**
   * A new connection to the target, with reads bounded by {@link #waitTime()}; closed when the case
   * ends.
   *
   * @return the connection
   * @throws IOException if connect(2) fails
   */
  public Conn connect() throws IOException {
    Conn c = target.connect(waitTime());
    c.readTimeout(waitTime());
    synchronized (open) {
      open.add(c);
    }
    return c;
  }

  /**
   * A new UDP socket bound to an ephemeral port on loopback (or on any address when the target is
   * elsewhere), with receives bounded by {@link #waitTime()}; closed when the case ends.
   *
   * @return the socket
   * @throws IOException if it cannot be opened
   */
  public DatagramSocket udpSocket() throws IOException {
    InetSocketAddress to = ((Target.Udp) target).address();
    DatagramSocket s =
        to.getAddress().isLoopbackAddress()
            ? new DatagramSocket(0, InetAddress.getLoopbackAddress())
            : new DatagramSocket();
    s.setSoTimeout((int) Math.max(1, waitTime().toMillis()));
    synchronized (open) {
      open.add(s);
    }
    return s;
  }

  /**
   * Reads exactly {@code n} bytes, or fails the case with what came instead.
   *
   * @param c the connection
   * @param n bytes wanted
   * @param who names the connection in messages, e.g. {@code "client 2"}
   * @return the bytes
   * @throws IOException if the read fails (e.g. ECONNRESET)
   * @throws CaseFailed on EOF or a timeout before {@code n} bytes
   */
  public byte[] readExactly(Conn c, int n, String who) throws IOException {
    byte[] buf = new byte[n];
    InputStream in = c.in();
    int got = 0;
    try {
      for (int r; got < n && (r = in.read(buf, got, n - got)) != -1; ) {
        received(who, buf, got, r);
        got += r;
      }
    } catch (SocketTimeoutException e) {
      throw new CaseFailed(
          n + " bytes back",
          who + " got " + got + " of " + n + " bytes, then nothing for " + seconds(waitTime()),
          "");
    }
    if (got < n) {
      throw new CaseFailed(
          n + " bytes back", who + " got " + got + " of " + n + " bytes, then EOF", "");
    }
    return buf;
  }

  /**
   * Expects EOF (read(2) returning 0) within {@link #waitTime()}, with no extra bytes before it.
   *
   * @param c the connection
   * @param who names the connection in messages
   * @throws IOException if the read fails
   * @throws CaseFailed on extra bytes or no EOF in time
   */
  public void expectEof(Conn c, String who) throws IOException {
    byte[] buf = new byte[4096];
    try {
      int n = c.in().read(buf);
      if (n > 0) {
        received(who, buf, 0, n);
        throw new CaseFailed("EOF", who + " got " + n + " bytes more than it sent", "");
      }
    } catch (SocketTimeoutException e) {
      throw new CaseFailed(
          "EOF (read() returning 0) once everything was echoed",
          who + " got no EOF within " + seconds(waitTime()),
          "");
    }
  }

  /**
   * @param d a duration
   * @return e.g. {@code "5 s"}, {@code "250 ms"}
   */
  public static String seconds(Duration d) {
    return d.toMillis() >= 1000 ? d.toMillis() / 1000.0 + " s" : d.toMillis() + " ms";
  }

  /**
   * Notes a line in the transcript ({@code --verbose}).
   *
   * @param line e.g. {@code "client 1: shutdown(SHUT_WR)"}
   */
  public void note(String line) {
    if (options.verbose()) {
      synchronized (transcript) {
        transcript.add(line);
      }
    }
  }

  /**
   * Notes bytes sent, as a short hex dump ({@code --verbose}).
   *
   * @param who which connection
   * @param b the bytes
   * @param off first byte
   * @param len how many
   */
  public void sent(String who, byte[] b, int off, int len) {
    if (options.verbose()) {
      note(who + " sent " + len + " bytes  " + Trace.dump(b, off, len));
    }
  }

  /**
   * Notes bytes received, as a short hex dump ({@code --verbose}).
   *
   * @param who which connection
   * @param b the bytes
   * @param off first byte
   * @param len how many
   */
  public void received(String who, byte[] b, int off, int len) {
    if (options.verbose()) {
      note(who + " got " + len + " bytes  " + Trace.dump(b, off, len));
    }
  }

  /**
   * @return the transcript so far
   */
  public List<String> transcript() {
    synchronized (transcript) {
      return List.copyOf(transcript);
    }
  }

  /** Closes every connection and socket the case opened. */
  @Override
  public void close() {
    synchronized (open) {
      for (Closeable c : open) {
        try {
          c.close();
        } catch (IOException | RuntimeException e) {
          // already closed or reset by the case
        }
      }
      open.clear();
    }
  }
}
