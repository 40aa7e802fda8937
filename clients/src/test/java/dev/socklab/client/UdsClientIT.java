package dev.socklab.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.uds.UdsServer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** uds-client as users run it, against uds-server and against paths that go wrong. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsClientIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;

  private static Proc.Result client(byte[] stdin, String... args) {
    List<String> a = new ArrayList<>(List.of("uds-client"));
    a.addAll(List.of(args));
    return Proc.run(WAIT, stdin, RunningProcess.command(a.toArray(String[]::new)));
  }

  private UdsServer server(Path sock) throws Exception {
    return UdsServer.start(UdsServer.Config.atPath(sock));
  }

  @Test
  void scriptedAndInteractiveModesAgainstUdsServer() throws Exception {
    Path sock = dir.resolve("e.sock");
    try (UdsServer s = server(sock)) {
      Proc.Result scripted =
          client(new byte[0], sock.toString(), "--count", "500", "--size", "1000");
      assertThat(scripted.exit()).as(scripted.stderr()).isZero();
      assertThat(scripted.out())
          .contains("500 messages of 1000 bytes")
          .contains("all verified")
          .contains("p99");
      byte[] input = "hello\n안녕\n".getBytes(UTF_8);
      Proc.Result interactive = client(input, sock.toString());
      assertThat(interactive.exit()).as(interactive.stderr()).isZero();
      assertThat(interactive.stdout()).isEqualTo(input);
    }
  }

  @Test
  void abstractNamesWorkAndAMissingOneIsOneClearLine() throws Exception {
    String name = "socklab-client-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    try (UdsServer s = UdsServer.start(UdsServer.Config.atAbstractName(name))) {
      Proc.Result scripted =
          client(new byte[0], "--abstract", name, "--count", "300", "--size", "70000");
      assertThat(scripted.exit()).as(scripted.stderr()).isZero();
      assertThat(scripted.out()).contains("to @" + name).contains("all verified");
      byte[] input = "over the abstract namespace\n".getBytes(UTF_8);
      Proc.Result interactive = client(input, "--abstract", name);
      assertThat(interactive.exit()).as(interactive.stderr()).isZero();
      assertThat(interactive.stdout()).isEqualTo(input);
    }
    Proc.Result refused = client(new byte[0], "--abstract", name);
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.stderr().strip())
        .isEqualTo(
            "socklab uds-client: no server listens on abstract name @"
                + name
                + " (ECONNREFUSED) — start one with ./socklab uds-server --abstract "
                + name);
  }

  @Test
  void eachWrongPathIsOneClearLine() throws Exception {
    Path missing = dir.resolve("missing.sock");
    assertThat(client(new byte[0], missing.toString()).stderr().strip())
        .startsWith("socklab uds-client: no such socket file: " + missing);

    Path file = dir.resolve("file");
    Files.writeString(file, "x");
    assertThat(client(new byte[0], file.toString()).stderr().strip())
        .isEqualTo("socklab uds-client: " + file + " is not a socket");

    Path stale = dir.resolve("stale.sock");
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(stale));
    dead.close();
    Proc.Result refused = client(new byte[0], stale.toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.stderr().strip())
        .startsWith("socklab uds-client: connection refused at " + stale + " (ECONNREFUSED)");
  }
}
