package dev.socklab.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An echo server (RFC 862) that flips one byte: the {@code nth} byte it echoes, counted over all
 * its connections, once. Everything else comes back unchanged.
 */
final class CorruptingEcho extends TcpFixture {
  private final long nth;
  private final AtomicLong echoed = new AtomicLong();

  /**
   * @param nth which byte to corrupt, 1 or more (1000: the 1000th byte echoed; Long.MAX_VALUE:
   *     none, a plain echo)
   * @throws IOException if it cannot listen
   */
  CorruptingEcho(long nth) throws IOException {
    this.nth = nth;
  }

  @Override
  void serve(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    OutputStream out = s.getOutputStream();
    byte[] buf = new byte[16384];
    for (int n; (n = in.read(buf)) > 0; ) {
      long before = echoed.getAndAdd(n);
      if (before < nth && nth <= before + n) {
        buf[(int) (nth - before - 1)] ^= 0x20; // the bug: one bit of one byte
      }
      out.write(buf, 0, n);
    }
  }
}
