package dev.socklab.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * An echo server (RFC 862) that stalls: in every {@code period}, it serves for {@code period -
 * stall} and then neither reads nor writes for {@code stall}, on every connection at once (as a
 * garbage-collection pause or a blocked event loop would).
 */
final class StallingEcho extends TcpFixture {
  private final long periodMs;
  private final long stallMs;
  private final long epoch = System.nanoTime();

  /**
   * @param periodMs the cycle, ms
   * @param stallMs the stall at the end of each cycle, ms, less than {@code periodMs}
   * @throws IOException if it cannot listen
   */
  StallingEcho(long periodMs, long stallMs) throws IOException {
    this.periodMs = periodMs;
    this.stallMs = stallMs;
  }

  @Override
  void serve(Socket s) throws IOException {
    s.setTcpNoDelay(true);
    InputStream in = s.getInputStream();
    OutputStream out = s.getOutputStream();
    byte[] buf = new byte[16384];
    while (true) {
      pauseIfStalled();
      int n = in.read(buf);
      if (n <= 0) {
        return;
      }
      pauseIfStalled();
      out.write(buf, 0, n);
    }
  }

  // The stall itself: sleeping is what this server is for.
  private void pauseIfStalled() throws IOException {
    long inCycle = (System.nanoTime() - epoch) / 1_000_000 % periodMs;
    long serving = periodMs - stallMs;
    if (inCycle >= serving) {
      try {
        Thread.sleep(periodMs - inCycle);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
