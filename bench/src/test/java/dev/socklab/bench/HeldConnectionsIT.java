package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.CommandRun;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * bench echo keeps a target's connections from its warm-up through its last round, so that a round
 * measures round trips and not connect(2): counted by the servers' accept(2)s.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeldConnectionsIT {
  // A plain echo server (RFC 862) that counts its connections: one that corrupts no byte.
  private static CorruptingEcho echo() throws IOException {
    return new CorruptingEcho(Long.MAX_VALUE);
  }

  @Test
  void interleavedRoundsOfTwoTargetsConnectOncePerTarget() throws Exception {
    try (CorruptingEcho a = echo();
        CorruptingEcho b = echo()) {
      CommandRun.Result r =
          CommandRun.run(
              new BenchCommand(),
              "echo",
              "a=" + a.target(),
              "b=" + b.target(),
              "--conns",
              "3",
              "--warmup",
              "200ms",
              "--rounds",
              "3",
              "--duration",
              "900ms",
              "--no-progress");
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      // A warm-up and three rounds each; a new connection per round would make 12.
      assertThat(a.accepted()).as(r.out()).isEqualTo(3);
      assertThat(b.accepted()).as(r.out()).isEqualTo(3);
    }
  }

  @Test
  void eachSweepPointConnectsAfresh() throws Exception {
    try (CorruptingEcho a = echo()) {
      CommandRun.Result r =
          CommandRun.run(
              new BenchCommand(),
              "echo",
              a.target(),
              "--sweep",
              "conns=1,2",
              "--warmup",
              "100ms",
              "--rounds",
              "2",
              "--duration",
              "400ms",
              "--no-progress");
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(a.accepted()).as(r.out()).isEqualTo(1 + 2);
      // Closed at the end of each point: the server sees every connection end.
      await().atMost(Duration.ofSeconds(10)).until(() -> a.clients().isEmpty());
    }
  }
}
