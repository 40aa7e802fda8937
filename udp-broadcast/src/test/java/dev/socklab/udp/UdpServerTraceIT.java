package dev.socklab.udp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.Trace;
import dev.socklab.common.testing.TraceRecorder;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --trace} of the UDP server is its call sequence; a dead datagram loop is reported. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpServerTraceIT {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void aTracedExchangeIsRecvfromThenSendto() throws Exception {
    try (TraceRecorder trace = new TraceRecorder()) {
      UdpServer server =
          UdpServer.start(
              UdpServer.Config.at(new InetSocketAddress(LOOPBACK, 0)).withTrace(Trace.enabled()));
      int port = server.localAddress().getPort();
      int clientPort;
      try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
        s.setSoTimeout(10_000);
        clientPort = s.getLocalPort();
        s.send(new DatagramPacket("hello".getBytes(US_ASCII), 5, LOOPBACK, port));
        DatagramPacket got = new DatagramPacket(new byte[100], 100);
        s.receive(got);
        assertThat(got.getLength()).isEqualTo(5);
      }
      // The reply can reach us before the server's thread has written its sendto line.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> trace.lines().stream().anyMatch(l -> l.startsWith("sendto(")));
      server.stop();

      String peer = "127.0.0.1:" + clientPort;
      TraceRecorder.assertCalls(
          List.of(
              "socket(AF_INET, SOCK_DGRAM)",
              "setsockopt(SO_REUSEADDR, 1)",
              "setsockopt(SO_BROADCAST, 1)",
              "bind(127.0.0.1:" + port + ")",
              "recvfrom() -> 5 bytes from " + peer + "  68 65 6c 6c 6f  |hello|",
              "sendto(" + peer + ", 5 bytes)",
              "close()"),
          trace.lines());
    }
  }

  @Test
  void aDatagramLoopThatDiesCompletesTheFailure() throws Exception {
    UdpServer server = UdpServer.start(UdpServer.Config.at(new InetSocketAddress(LOOPBACK, 0)));
    try {
      // An interrupt closes an interruptible channel under the thread blocked in receive(): the
      // loop cannot go on, and must say so instead of leaving a process that receives nothing.
      loopThread("udp-loop").interrupt();
      Throwable cause = server.failure().get(10, TimeUnit.SECONDS);
      assertThat(cause).hasMessageContaining("recvfrom() failed");
    } finally {
      server.stop();
    }
  }

  private static Thread loopThread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
