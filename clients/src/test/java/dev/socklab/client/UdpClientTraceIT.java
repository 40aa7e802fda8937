package dev.socklab.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.SocketCalls;
import dev.socklab.common.testing.CommandRun;
import dev.socklab.common.testing.TraceRecorder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** udp-client's {@code --trace}: each datagram's sendto(2) and recvfrom(2), in the order made. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpClientTraceIT {
  @Test
  void eachDatagramIsASendtoThenARecvfrom() throws Exception {
    try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        TraceRecorder trace = new TraceRecorder()) {
      Thread.ofVirtual().start(() -> echoForever(echo));
      String to = "127.0.0.1:" + echo.getLocalPort();

      CommandRun.Result r =
          CommandRun.run(
              new ClientMain(), "udp-client", "send", to, "hi", "--count", "2", "--trace");

      assertThat(r.exit()).as(r.err()).isZero();
      String recv = "recvfrom\\(\\) -> 2 bytes from " + to + "  68 69  \\|hi\\|";
      TraceRecorder.assertCalls(
          List.of(
              "socket(" + SocketCalls.inetFamily() + ", SOCK_DGRAM)",
              "setsockopt(SO_BROADCAST, 0)",
              "sendto(" + to + ", 2 bytes)",
              "setsockopt\\(SO_RCVTIMEO, \\d+ ms\\)",
              recv,
              "sendto(" + to + ", 2 bytes)",
              "setsockopt\\(SO_RCVTIMEO, \\d+ ms\\)",
              recv,
              "close()"),
          trace.lines());
    }
  }

  // RFC 862 over UDP: each datagram back to its sender, until the test closes the socket.
  private static void echoForever(DatagramSocket s) {
    try {
      while (true) {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        s.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
      }
    } catch (IOException e) {
      // closed: the test is over
    }
  }
}
