package dev.socklab.client;

import dev.socklab.common.SocketCalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Both directions of an interactive client at once: a thread copies stdin to the socket while the
 * caller's thread copies the socket to stdout. The course's str_cli with select(), written with two
 * threads. On stdin EOF the socket is half-closed (shutdown(SHUT_WR)) and what the server still
 * sends is printed until it closes.
 */
final class Duplex {
  /** How the exchange ended. */
  enum End {
    /** stdin ended, we half-closed, then the server closed: the normal end. */
    STDIN_THEN_SERVER,
    /** The server closed while stdin was still open. */
    SERVER_FIRST,
  }

  private Duplex() {}

  /**
   * Runs until the server closes the connection.
   *
   * @param socket a connected socket, TCP or AF_UNIX
   * @param stdin what to send
   * @param stdout where to copy what arrives, flushed per read
   * @param calls where socket reads and writes are made and traced
   * @return how it ended
   * @throws IOException if reading the socket fails (e.g. ECONNRESET)
   */
  static End run(Conn socket, InputStream stdin, PrintStream stdout, SocketCalls calls)
      throws IOException {
    OutputStream out = socket.out();
    AtomicBoolean stdinEnded = new AtomicBoolean(); // set before our FIN can provoke the server's
    Thread sender =
        Thread.ofPlatform()
            .name("stdin-to-socket")
            .daemon(true) // may stay blocked reading stdin after the server has closed
            .start(
                () -> {
                  byte[] buf = new byte[16 * 1024];
                  try {
                    int n;
                    while ((n = stdin.read(buf)) != -1) {
                      calls.write(out, buf, 0, n); // write(2)
                    }
                    stdinEnded.set(true);
                    socket.shutdownOutput(); // shutdown(SHUT_WR): our FIN; replies still flow
                  } catch (IOException e) {
                    // the receiving side sees the same failure and reports it
                  }
                });
    InputStream in = socket.in();
    byte[] buf = new byte[16 * 1024];
    int n;
    while ((n = calls.read(in, buf)) != -1) { // read(2)
      stdout.write(buf, 0, n);
      stdout.flush();
    }
    return stdinEnded.get() ? End.STDIN_THEN_SERVER : End.SERVER_FIRST;
  }
}
