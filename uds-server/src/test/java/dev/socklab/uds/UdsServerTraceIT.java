package dev.socklab.uds;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.Trace;
import dev.socklab.common.testing.TraceRecorder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --trace} of the AF_UNIX server: the calls Netty's event loop and the path code make. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsServerTraceIT {
  @TempDir Path dir;

  @Test
  void aTracedSessionShowsBindChmodLinkAndTheEcho() throws Exception {
    Path sock = dir.resolve("echo.sock");
    try (TraceRecorder trace = new TraceRecorder()) {
      UdsServer server = UdsServer.start(UdsServer.Config.atPath(sock).withTrace(Trace.enabled()));
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
        ch.write(ByteBuffer.wrap("hello\n".getBytes(US_ASCII)));
        ByteBuffer back = ByteBuffer.allocate(6);
        while (back.hasRemaining() && ch.read(back) >= 0) {
          // read until the whole echo is back
        }
        assertThat(back.array()).isEqualTo("hello\n".getBytes(US_ASCII));
        ch.shutdownOutput();
        assertThat(ch.read(ByteBuffer.allocate(1))).isEqualTo(-1);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> trace.lines().stream().anyMatch(l -> l.endsWith(" close()")));
      server.stop(Duration.ofSeconds(2));

      String tmp = dir + "/\\.socklab-bind-\\d+/s";
      TraceRecorder.assertCalls(
          List.of(
              "socket(AF_UNIX, SOCK_STREAM)",
              "bind\\(" + tmp + "\\)",
              "listen(backlog=1024)",
              "chmod\\(" + tmp + ", 0600\\)",
              "link\\(" + tmp + ", " + sock + "\\)",
              "#1 accept() -> (unnamed)",
              "#1 read() -> 6 bytes  68 65 6c 6c 6f 0a  |hello.|",
              "#1 write(6)  68 65 6c 6c 6f 0a  |hello.|",
              "#1 read() -> 0 (EOF: the peer shut down its write side)",
              // Everything owed is written: the handler sends its FIN, then closes.
              "#1 shutdown(SHUT_WR)",
              "#1 close()",
              "close() listening socket",
              "unlink(" + sock + ")"),
          trace.lines());
    }
  }
}
