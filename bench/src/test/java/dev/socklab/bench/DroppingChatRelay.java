package dev.socklab.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain line relay, Beej's select() chat done with a thread per client: every line to every other
 * client, unchanged, no prefix, no notices. With {@code dropNth} > 0 it drops one line: the {@code
 * dropNth}th it relays, counted over all clients, hellos not counted (so that the members still
 * meet).
 */
final class DroppingChatRelay extends TcpFixture {
  private final long dropNth;
  private final AtomicLong relayed = new AtomicLong();

  /**
   * @param dropNth the line to drop, 1 or more; 0 to relay everything
   * @throws IOException if it cannot listen
   */
  DroppingChatRelay(long dropNth) throws IOException {
    this.dropNth = dropNth;
  }

  @Override
  void serve(Socket s) throws IOException {
    s.setTcpNoDelay(true);
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (!line.endsWith(" hello") && relayed.incrementAndGet() == dropNth) {
        continue; // the bug: this line goes to nobody
      }
      byte[] b = (line + "\n").getBytes(UTF_8);
      for (Socket other : clients()) {
        if (other != s) {
          send(other, b);
        }
      }
    }
  }

  // One writer at a time per client, or two senders' lines would interleave.
  private static void send(Socket to, byte[] b) {
    synchronized (to) {
      try {
        OutputStream out = to.getOutputStream();
        out.write(b);
      } catch (IOException e) {
        // that client left: its own thread ends it
      }
    }
  }
}
