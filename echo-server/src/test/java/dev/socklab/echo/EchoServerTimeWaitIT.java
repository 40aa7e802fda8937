package dev.socklab.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.NetErrors;
import dev.socklab.common.testing.RunningProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TIME_WAIT: a server that closes its connections first (a graceful stop) leaves them in TIME_WAIT
 * on its port for 60 s. Restarted at once, it binds only with SO_REUSEADDR, on the old listening
 * socket and the new one; without it, bind(2) fails with EADDRINUSE and one line that says why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoServerTimeWaitIT {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  // Runs a server on an ephemeral port with a client connected and stops it: the server's side
  // closes first, the client closes after its EOF, so the server's side holds TIME_WAIT.
  private static int stopWithAClientConnected(boolean reuseAddress) throws Exception {
    EchoServer server =
        EchoServer.start(
            EchoServer.Config.defaults(new InetSocketAddress(LOOPBACK, 0))
                .withReuseAddress(reuseAddress));
    int port = server.localAddress().getPort();
    try (Socket client = new Socket(LOOPBACK, port)) {
      client.setSoTimeout(10_000);
      client.getOutputStream().write("hi".getBytes(US_ASCII));
      assertThat(client.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes(US_ASCII));
      server.stop(Duration.ofSeconds(2)); // shutdown(SHUT_RD), then our FIN first
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> NetErrors.closingOnly(port).containsKey("TIME_WAIT"));
    return port;
  }

  @Test
  void withoutReuseaddrTheRestartFailsWithOneLineAboutTimeWait() throws Exception {
    int port = stopWithAClientConnected(false);
    assertThat(restartWithoutReuseaddr(port))
        .startsWith("socklab echo-server: port " + port + " is held by ")
        .contains("TIME_WAIT", "EADDRINUSE", "SO_REUSEADDR");
  }

  // Starts `echo-server --no-reuseaddr` on the port; it must fail with exit 1 and one line.
  private static String restartWithoutReuseaddr(int port) throws Exception {
    try (RunningProcess again =
        RunningProcess.start(
            "--bind", "127.0.0.1", "--port", Integer.toString(port), "--no-reuseaddr")) {
      assertThat(again.waitFor(Duration.ofSeconds(20))).isEqualTo(1);
      assertThat(again.stderr()).hasSize(1);
      return again.stderr().getFirst();
    }
  }

  @Test
  void aConnectionInFinWait2IsNamedToo() throws Exception {
    // The old server closed its listener and a connection whose peer never closes: the closed
    // side waits in FIN_WAIT2 for the peer's FIN (up to tcp_fin_timeout) and holds the port.
    try (ServerSocket old = new ServerSocket()) {
      old.setReuseAddress(false);
      old.bind(new InetSocketAddress(LOOPBACK, 0));
      int port = old.getLocalPort();
      try (Socket peer = new Socket(LOOPBACK, port)) {
        old.accept().close(); // our FIN; the peer ACKs it and stays in CLOSE_WAIT
        old.close();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> NetErrors.closingOnly(port).containsKey("FIN_WAIT2"));
        assertThat(restartWithoutReuseaddr(port))
            .startsWith("socklab echo-server: port " + port + " is held by connections of a")
            .contains("1 FIN_WAIT2", "EADDRINUSE", "SO_REUSEADDR")
            .doesNotContain("another server listens");
      }
    }
  }

  @Test
  void withReuseaddrTheSameRestartWorks() throws Exception {
    int port = stopWithAClientConnected(true);
    EchoServer again =
        EchoServer.start(EchoServer.Config.defaults(new InetSocketAddress(LOOPBACK, port)));
    try (Socket client = new Socket(LOOPBACK, port)) {
      client.setSoTimeout(10_000);
      client.getOutputStream().write("again".getBytes(US_ASCII));
      assertThat(client.getInputStream().readNBytes(5)).isEqualTo("again".getBytes(US_ASCII));
    } finally {
      again.stop(Duration.ofSeconds(2));
    }
  }
}
