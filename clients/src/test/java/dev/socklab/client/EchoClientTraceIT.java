package dev.socklab.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.SocketCalls;
import dev.socklab.common.testing.CommandRun;
import dev.socklab.common.testing.TraceRecorder;
import dev.socklab.echo.EchoServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** echo-client's {@code --trace} is its calls, in the order made (not after the round trip). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoClientTraceIT {
  @Test
  void eachWriteIsTracedBeforeTheReadOfItsEcho() throws Exception {
    EchoServer server =
        EchoServer.start(
            EchoServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    try (TraceRecorder trace = new TraceRecorder()) {
      int port = server.localAddress().getPort();
      CommandRun.Result r =
          CommandRun.run(
              new ClientMain(),
              "echo-client",
              "127.0.0.1:" + port,
              "--count",
              "2",
              "--size",
              "4",
              "--trace");
      assertThat(r.exit()).as(r.err()).isZero();
      String four = "\\(4\\)  ([0-9a-f]{2} ){3}[0-9a-f]{2}  \\|.{4}\\|";
      TraceRecorder.assertCalls(
          List.of(
              "socket(" + SocketCalls.inetFamily() + ", SOCK_STREAM)",
              "connect(127.0.0.1:" + port + ")",
              "setsockopt(TCP_NODELAY, 1)",
              "setsockopt(SO_RCVTIMEO, 5000 ms)",
              "write" + four,
              "read\\(\\) -> 4 bytes  ([0-9a-f]{2} ){3}[0-9a-f]{2}  \\|.{4}\\|",
              "write" + four,
              "read\\(\\) -> 4 bytes  ([0-9a-f]{2} ){3}[0-9a-f]{2}  \\|.{4}\\|",
              "shutdown(SHUT_WR)",
              "read() -> 0 (EOF: the peer shut down its write side)",
              "close()"),
          trace.lines());
    } finally {
      server.stop(Duration.ofSeconds(2));
    }
  }
}
