package dev.socklab.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.testing.TraceRecorder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --trace} prints exactly the socket calls the echo server makes, in order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoServerTraceIT {
  @Test
  void aTracedSessionIsTheCallSequenceOfTheCourseServer() throws Exception {
    try (TraceRecorder trace = new TraceRecorder()) {
      EchoServer server =
          EchoServer.start(
              EchoServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                  .withTrace(Trace.enabled()));
      int port = server.localAddress().getPort();
      int clientPort;
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.setSoTimeout(10_000);
        clientPort = s.getLocalPort();
        s.getOutputStream().write("hello\n".getBytes(US_ASCII));
        assertThat(s.getInputStream().readNBytes(6)).isEqualTo("hello\n".getBytes(US_ASCII));
        s.shutdownOutput();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 0);
      server.stop(Duration.ofSeconds(2));

      String conn = "#1 127.0.0.1:" + clientPort + " ";
      TraceRecorder.assertCalls(
          List.of(
              "socket(" + SocketCalls.inetFamily() + ", SOCK_STREAM)",
              "setsockopt(SO_REUSEADDR, 1)",
              "bind(127.0.0.1:" + port + ")",
              "listen(backlog=1024)",
              "accept() -> 127.0.0.1:" + clientPort,
              conn + "setsockopt(TCP_NODELAY, 1)",
              conn + "read() -> 6 bytes  68 65 6c 6c 6f 0a  |hello.|",
              conn + "write(6)  68 65 6c 6c 6f 0a  |hello.|",
              conn + "read() -> 0 (EOF: the peer shut down its write side)",
              conn + "shutdown(SHUT_WR)",
              conn + "close()",
              "close() listening socket",
              // stop() closed the listener under the acceptor thread: its accept() fails.
              "accept() -> -1 (Socket closed)"),
          trace.lines());
    }
  }
}
