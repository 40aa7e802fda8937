package dev.socklab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving TCP server for bench's tests: listens on 127.0.0.1, an ephemeral port, and serves
 * each client on a thread of its own (the thread-per-client model) until EOF or {@link #close}.
 */
abstract class TcpFixture implements AutoCloseable {
  private final ServerSocket server;
  private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();

  /**
   * @throws IOException if it cannot listen
   */
  TcpFixture() throws IOException {
    // socket + bind(127.0.0.1:0) + listen(2), backlog 1024: bench connects many at once.
    server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name(getClass().getSimpleName()).start(this::acceptLoop);
  }

  /**
   * @return the port it listens on
   */
  int port() {
    return server.getLocalPort();
  }

  /**
   * @return {@code 127.0.0.1:PORT}, as bench takes it
   */
  String target() {
    return "127.0.0.1:" + port();
  }

  /**
   * Serves one client until EOF.
   *
   * @param s the accepted connection
   * @throws IOException when the connection fails or is closed
   */
  abstract void serve(Socket s) throws IOException;

  /**
   * @return the clients connected now
   */
  Set<Socket> clients() {
    return clients;
  }

  /**
   * @return the connections accepted so far
   */
  int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      clients.add(s);
      Thread.ofVirtual()
          .start(
              () -> {
                try (s) {
                  serve(s);
                } catch (IOException e) {
                  // the client left or the fixture closed: nothing to report
                } finally {
                  clients.remove(s);
                }
              });
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : clients) {
      s.close();
    }
  }
}
