package dev.socklab.check;

import static dev.socklab.check.Checks.assertAllPass;
import static dev.socklab.check.Checks.check;
import static dev.socklab.check.Checks.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.udp.UdpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code check udp} against socklab's own UDP server (it must pass every case) and against broken C
 * servers, each of which must fail exactly the case of its bug.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class UdpCheckIT {
  /** The udp cases, in the order they run; lifecycle cases added later are left out of asserts. */
  private static final List<String> UDP_CASES =
      UdpCases.all().stream().map(CheckCase::name).toList();

  private UdpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void socklabsUdpServerPassesEveryCase() throws Exception {
    server =
        UdpServer.start(
            UdpServer.Config.at(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    Checks.Run run = check("udp", "127.0.0.1:" + server.localAddress().getPort());
    assertAllPass(run);
    assertThat(run.status().keySet()).as(run.out()).containsAll(UDP_CASES);
    assertThat(run.line("burst"))
        .as(run.out())
        .matches("PASS burst \\(.*\\): \\d+\\.\\d% lost \\(\\d+ of 1000\\).*");
  }

  @Test
  void truncatingServerFailsOnlyMaxSize() throws Exception {
    Checks.Run run = check("udp", "--exec", fixture("udp_truncates") + " {port}");
    assertThat(udpFailures(run)).as(run.out()).containsExactly("max-size");
    assertThat(run.line("max-size"))
        .contains("sent 65,507 bytes, got back 1,024 bytes: the start of ours")
        .contains("smaller than 65,507 bytes (e.g. char buf[1024]");
    assertThat(run.exit()).isEqualTo(1);
  }

  @Test
  void serverReplyingFromAnotherSocketFailsOnlyReplySource() throws Exception {
    Checks.Run run = check("udp", "--exec", fixture("udp_other_port") + " {port}");
    assertThat(udpFailures(run)).as(run.out()).containsExactly("reply-source");
    assertThat(run.line("reply-source"))
        .contains("(another port)")
        .contains("sent from another socket")
        .contains("connect()");
    assertThat(run.exit()).isEqualTo(1);
  }

  private static List<String> udpFailures(Checks.Run run) {
    return run.failed().stream().filter(UDP_CASES::contains).toList();
  }
}
