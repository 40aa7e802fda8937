package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.Cli;
import dev.socklab.common.testing.CommandRun;
import dev.socklab.echo.EchoServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --server-pid}: the server's RSS and CPU, read from /proc during the rounds, appear in the
 * table. The server runs in this JVM, so this JVM's PID is the server's.
 */
class ServerPidIT {
  private EchoServer server;
  private String target;

  @BeforeEach
  void start() throws Exception {
    server =
        EchoServer.start(
            EchoServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    target = "echo=127.0.0.1:" + server.localAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(Duration.ofSeconds(2));
  }

  @Test
  void theTableShowsTheServersMemoryAndCpu() {
    long pid = ProcessHandle.current().pid();
    CommandRun.Result r =
        CommandRun.run(
            new BenchCommand(),
            "echo",
            target,
            "--conns",
            "4",
            "--duration",
            "600ms",
            "--rounds",
            "1",
            "--warmup",
            "0",
            "--server-pid",
            "echo=" + pid);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("server RSS").contains("server CPU");
    // This JVM holds tens of MiB at least; a CPU share is printed as a percentage.
    assertThat(r.out()).containsPattern("echo +[0-9,]+ +1\\.00 .* [0-9]+\\.[0-9] MiB +[0-9]+%");
  }

  @Test
  void aPidWithNoProcessIsAOneLineError() {
    CommandRun.Result r =
        CommandRun.run(new BenchCommand(), "echo", target, "--server-pid", "2147483646");
    assertThat(r.exit()).isEqualTo(Cli.EXIT_FAILURE);
    assertThat(r.err().strip())
        .isEqualTo(
            "socklab bench echo: --server-pid 2147483646: no such process (nothing in"
                + " /proc/2147483646)");
  }
}
