package dev.socklab.check;

import dev.socklab.client.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client that writes much and reads nothing, on its own virtual thread: its echo fills its
 * receive buffer and the server's send buffer, until the server's write() to it blocks and, with
 * it, the server's reading of it; then the hog's own write() blocks too. {@code blocked-peer}
 * checks that nobody else waits meanwhile; {@code peer-reset} resets it right then.
 */
final class EchoHog {
  /** The most a hog writes: enough to fill any socket buffers, and a bound on the traffic. */
  static final int MAX = 64 << 20;

  private final Conn conn;
  private final byte[] chunk;
  private final BlockingQueue<Long> progress = new LinkedBlockingQueue<>(); // each write's total
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread writer;
  private volatile long written;
  private volatile boolean ended;

  private EchoHog(Probe p, Conn conn, String who) {
    this.conn = conn;
    this.chunk = new byte[64 * 1024];
    p.random().nextBytes(chunk);
    this.writer = Thread.ofVirtual().name("hog-" + who).start(this::write);
  }

  /**
   * @param p the probe (its random source fills the chunk written again and again)
   * @param conn a new connection
   * @param who names it
   * @return the hog, already writing
   */
  static EchoHog start(Probe p, Conn conn, String who) {
    return new EchoHog(p, conn, who);
  }

  // `chunk` again and again until MAX, an error or stop; each write()'s running total reported.
  private void write() {
    try {
      while (written < MAX && !stop.get()) {
        conn.out().write(chunk); // write(2): blocks once the server stops reading
        written += chunk.length;
        progress.add(written);
      }
    } catch (IOException e) {
      // the server closed or reset it, or we did: the end
    } finally {
      ended = true;
      progress.add(-1L);
    }
  }

  /**
   * Waits until no write() has completed for 200 ms (scaled): the hog's write() blocks, so the
   * server has stopped reading it. Gives up after 3 s (scaled): the server reads without bound.
   *
   * @param p the probe
   * @return bytes written when it stalled, or -1 if it never did (the writer ended first)
   * @throws InterruptedException if the case is interrupted
   */
  long awaitStall(Probe p) throws InterruptedException {
    long quiet = p.scaled(Duration.ofMillis(200)).toMillis();
    long deadline = System.nanoTime() + p.scaled(Duration.ofSeconds(3)).toNanos();
    while (System.nanoTime() - deadline < 0) {
      Long n = progress.poll(quiet, TimeUnit.MILLISECONDS);
      if (n == null) {
        return written;
      }
      if (n < 0) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * @return bytes the hog has written so far
   */
  long written() {
    return written;
  }

  /**
   * Stops writing, reads back what the server still echoes (bounded: 2 s, scaled), and closes, so
   * that the hog leaves nothing unread behind (no RST that could kill a SIGPIPE-prone server in a
   * later case).
   *
   * @param p the probe
   */
  void drainAndClose(Probe p) {
    stop.set(true); // not interrupt(): on a virtual thread that closes the socket, with an RST
    try {
      conn.readTimeout(p.scaled(Duration.ofMillis(300)));
      long deadline = System.nanoTime() + p.scaled(Duration.ofSeconds(2)).toNanos();
      byte[] buf = new byte[64 * 1024];
      long read = 0;
      InputStream in = conn.in();
      while (!(ended && read >= written) && System.nanoTime() - deadline < 0) {
        int r = in.read(buf); // read(2); blocked hog writes resume as this drains
        if (r < 0) {
          break;
        }
        read += r;
      }
    } catch (IOException e) {
      // the echo stopped: close anyway
    }
    close(p, false);
  }

  /**
   * Stops writing and closes at once: with SO_LINGER 0 on TCP, an RST (on AF_UNIX, a close with
   * unread data), while the server is blocked writing to it.
   *
   * @param p the probe
   */
  void reset(Probe p) {
    stop.set(true);
    close(p, true);
  }

  private void close(Probe p, boolean reset) {
    try {
      if (reset) {
        conn.reset(); // setsockopt(SO_LINGER, {1, 0}) + close(2)
      } else {
        conn.close(); // close(2)
      }
      writer.join(p.waitTime()); // a blocked write() ends when its socket is closed
    } catch (IOException | InterruptedException e) {
      // closed is all that matters
    }
  }
}
