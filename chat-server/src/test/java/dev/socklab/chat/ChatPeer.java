package dev.socklab.chat;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A chat client for tests: a real socket, with every line it receives collected. */
final class ChatPeer implements AutoCloseable {
  final Socket socket;
  final List<String> lines = new CopyOnWriteArrayList<>();
  private final CountDownLatch eof = new CountDownLatch(1);

  private ChatPeer(Socket socket, boolean read) {
    this.socket = socket;
    if (read) {
      Thread.ofVirtual()
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // reset or closed by the test: what was read is kept
                } finally {
                  eof.countDown();
                }
              });
    }
  }

  /** Connects and waits for the welcome line. */
  static ChatPeer join(int port) throws IOException {
    ChatPeer p = new ChatPeer(new Socket(InetAddress.getLoopbackAddress(), port), true);
    p.awaitLine("* welcome");
    return p;
  }

  /** Connects with a tiny receive buffer and never reads: the slow consumer. */
  static ChatPeer nonReading(int port) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096); // before connect(), so the window is small from the start
    s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return new ChatPeer(s, false);
  }

  void send(String line) {
    sendRaw((line + "\n").getBytes(UTF_8));
  }

  void sendRaw(byte[] bytes) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for a line containing {@code text}; returns it. */
  String awaitLine(String text) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .alias("a line containing '" + text + "' in " + lines)
        .until(() -> lines.stream().anyMatch(l -> l.contains(text)));
    return lines.stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
  }

  /** Waits until the server closes the connection. */
  void awaitEof() throws InterruptedException {
    if (!eof.await(20, TimeUnit.SECONDS)) {
      throw new AssertionError("no EOF from the server; lines: " + lines);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
