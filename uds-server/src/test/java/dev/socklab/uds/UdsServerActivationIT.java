package dev.socklab.uds;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.Activation;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AF_UNIX echo server started by systemd-socket-activate: adopting the listening socket it made
 * (fd 3, {@code LISTEN_FDS}) without binding, and {@code --inetd}, one process per client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsServerActivationIT {
  private static final Duration STARTUP = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static SocketChannel connect(Path path) throws IOException {
    await().atMost(STARTUP).until(() -> Files.exists(path)); // the manager's bind made the file
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(path));
    return ch;
  }

  private static void assertRoundTrip(SocketChannel ch, String text) throws IOException {
    ch.write(ByteBuffer.wrap(text.getBytes(US_ASCII)));
    ByteBuffer back = ByteBuffer.allocate(text.length());
    while (back.hasRemaining() && ch.read(back) >= 0) {
      // a blocking read returns what has arrived; bounded by the buffer's size
    }
    assertThat(new String(back.array(), US_ASCII)).isEqualTo(text);
  }

  @Test
  void anInheritedListeningSocketIsServedWithoutBind() throws Exception {
    Tools.requireSystemdSocketActivate();
    Path path = dir.resolve("echo.sock");
    try (RunningProcess server =
        RunningProcess.startCommand(
            Activation.socketActivate(
                path.toString(), false, false, List.of(), RunningProcess.command("--trace")))) {
      try (SocketChannel first = connect(path)) {
        assertRoundTrip(first, "before the server ran\n");
      }
      server.awaitStdout("listening on " + path + " (AF_UNIX stream, inherited fd 3", STARTUP);
      assertThat(server.stderr())
          .anySatisfy(
              l -> assertThat(l).endsWith("fd 3 inherited (LISTEN_FDS): listening socket " + path))
          .noneSatisfy(l -> assertThat(l).containsAnyOf(" socket(AF_", " bind(", " chmod("));
      assertThat(server.terminate(STARTUP)).isZero();
      assertThat(server.stdout()).anySatisfy(l -> assertThat(l).contains("left to systemd"));
    }
  }

  @Test
  void inetdServesEachClientInAProcessOfItsOwn() throws Exception {
    Tools.requireSystemdSocketActivate();
    Path path = dir.resolve("inetd.sock");
    try (RunningProcess manager =
        RunningProcess.startCommand(
            Activation.socketActivate(
                path.toString(), true, true, List.of(), RunningProcess.command("--inetd")))) {
      try (SocketChannel a = connect(path);
          SocketChannel b = connect(path)) {
        assertRoundTrip(a, "one\n");
        assertRoundTrip(b, "two\n");
        await().atMost(STARTUP).until(() -> Activation.pids(manager.stderr()).size() == 2);
      }
      Set<Long> pids = Activation.pids(manager.stderr());
      assertThat(pids).doesNotContain(manager.process().pid());
      await()
          .atMost(STARTUP)
          .until(
              () ->
                  manager.stderr().stream()
                          .filter(l -> l.contains("uds-server stopped (connection ended)"))
                          .count()
                      == 2);
    }
  }
}
