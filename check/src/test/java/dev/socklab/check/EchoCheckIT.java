package dev.socklab.check;

import static dev.socklab.check.Checks.assertAllPass;
import static dev.socklab.check.Checks.check;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.echo.EchoServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code check echo} against socklab's own echo server (it must pass) and broken fixtures. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EchoCheckIT {
  private EchoServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  private String socklabEchoServer() throws Exception {
    server =
        EchoServer.start(
            EchoServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    return "127.0.0.1:" + server.localAddress().getPort();
  }

  @Test
  void socklabsEchoServerPassesEveryCase() throws Exception {
    assertAllPass(check("echo", socklabEchoServer()));
  }

  @Test
  void nobodyListeningIsOneLineAndExitTwo() {
    Checks.Run run = check("echo", "127.0.0.1:1");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).startsWith("socklab check: no server at 127.0.0.1:1 (ECONNREFUSED)");
    assertThat(run.out()).isEmpty();
  }
}
