package dev.socklab.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.testing.TraceRecorder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --trace} of the chat server is the call sequence of the course's select() server; the
 * Netty engine reports the calls its event loop makes. A dead selector loop is reported.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatServerTraceIT {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private record Session(int port, int clientPort, List<String> lines) {}

  // One client joins, reads the welcome, says "hi" (to nobody), half-closes and reads to EOF.
  private static Session tracedSession(ChatServer.Engine engine) throws Exception {
    try (TraceRecorder trace = new TraceRecorder()) {
      ChatServer server =
          ChatServer.start(
              engine,
              ChatServer.Config.defaults(new InetSocketAddress(LOOPBACK, 0))
                  .withTrace(Trace.enabled()));
      int port = server.localAddress().getPort();
      int clientPort;
      try (Socket s = new Socket(LOOPBACK, port)) {
        s.setSoTimeout(10_000);
        clientPort = s.getLocalPort();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
        assertThat(in.readLine()).startsWith("* welcome");
        s.getOutputStream().write("hi\n".getBytes(UTF_8));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> trace.lines().size() > 0 && hasRead(trace));
        s.shutdownOutput();
        assertThat(in.readLine()).isNull();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 0);
      server.stop(Duration.ofSeconds(2));
      return new Session(port, clientPort, trace.lines());
    }
  }

  private static boolean hasRead(TraceRecorder trace) {
    return trace.lines().stream().anyMatch(l -> l.contains("read() -> 3 bytes"));
  }

  @Test
  void selectorEngineTracesTheSelectLoop() throws Exception {
    Session s = tracedSession(ChatServer.Engine.SELECTOR);
    String conn = "#1 127.0.0.1:" + s.clientPort() + " ";
    assertThat(s.lines()).anyMatch(l -> l.matches("select\\(\\) -> \\d+ ready"));
    TraceRecorder.assertCalls(
        List.of(
            "socket(" + SocketCalls.inetFamily() + ", SOCK_STREAM)",
            "setsockopt(SO_REUSEADDR, 1)",
            "bind(127.0.0.1:" + s.port() + ")",
            "listen(backlog=1024)",
            "fcntl(F_SETFL, O_NONBLOCK)",
            "accept() -> 127.0.0.1:" + s.clientPort(),
            conn + "fcntl(F_SETFL, O_NONBLOCK)",
            conn + "setsockopt(TCP_NODELAY, 1)",
            conn + "writev\\(1 iovec\\) -> \\d+ bytes",
            conn + "read() -> 3 bytes  68 69 0a  |hi.|",
            conn + "read() -> 0 (EOF: the peer shut down its write side)",
            conn + "close()",
            "close() listening socket"),
        s.lines().stream().filter(l -> !l.startsWith("select()")).toList());
  }

  @Test
  void nettyEngineTracesWhatItsEventLoopDoes() throws Exception {
    Session s = tracedSession(ChatServer.Engine.NETTY);
    String conn = "#1 127.0.0.1:" + s.clientPort() + " ";
    TraceRecorder.assertCalls(
        List.of(
            "socket(" + SocketCalls.inetFamily() + ", SOCK_STREAM)",
            "setsockopt(SO_REUSEADDR, 1)",
            "bind(127.0.0.1:" + s.port() + ")",
            "listen(backlog=1024)",
            conn + "accept() -> 127.0.0.1:" + s.clientPort(),
            conn + "write\\(\\d+\\)  .*",
            conn + "read() -> 3 bytes  68 69 0a  |hi.|",
            conn + "read() -> 0 (EOF: the peer shut down its write side)",
            conn + "close()",
            "close() listening socket"),
        s.lines());
  }

  @Test
  void aSelectorLoopThatDiesCompletesTheFailure() throws Exception {
    ChatServer server =
        ChatServer.start(
            ChatServer.Engine.SELECTOR,
            ChatServer.Config.defaults(new InetSocketAddress(LOOPBACK, 0)));
    try {
      // An interrupted select() returns at once forever: the loop must end and say so, not spin
      // or linger with nobody accepting.
      Thread loop =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("selector-loop"))
              .findFirst()
              .orElseThrow();
      int port = server.localAddress().getPort();
      loop.interrupt();
      assertThat(server.failure().get(10, TimeUnit.SECONDS)).hasMessageContaining("interrupted");
      await() // the dead loop closed its listening socket: connecting is refused
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(
              () -> {
                try (Socket s = new Socket(LOOPBACK, port)) {
                  return false;
                } catch (java.net.ConnectException e) {
                  return true;
                }
              });
    } finally {
      server.stop(Duration.ofSeconds(1));
    }
  }
}
