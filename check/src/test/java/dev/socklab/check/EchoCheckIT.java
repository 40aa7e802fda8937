package dev.socklab.check;

import static dev.socklab.check.Checks.assertAllPass;
import static dev.socklab.check.Checks.check;
import static dev.socklab.check.Checks.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.echo.EchoServer;
import dev.socklab.uds.UdsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code check echo} against socklab's own servers (they must pass every case, over TCP, a UNIX
 * socket file and an abstract name) and against broken C fixtures, each of which must fail exactly
 * the one case meant to catch its bug.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EchoCheckIT {
  /** The echo cases, in report order; lifecycle cases (run with --exec too) are left out. */
  static final List<String> ECHO_CASES =
      List.of(
          "basic",
          "binary",
          "split-writes",
          "large",
          "half-close",
          "peer-reset",
          "concurrent-clients",
          "blocked-peer",
          "slowloris",
          "many-connections");

  private EchoServer server;
  private UdsServer uds;

  @TempDir Path dir;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
    if (uds != null) {
      uds.stop(Duration.ofSeconds(2));
    }
  }

  private String socklabEchoServer() throws Exception {
    server =
        EchoServer.start(
            EchoServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    return "127.0.0.1:" + server.localAddress().getPort();
  }

  // The echo cases that failed, whatever lifecycle cases the run had as well.
  private static List<String> failedEchoCases(Checks.Run run) {
    return run.failed().stream().filter(ECHO_CASES::contains).toList();
  }

  private static void assertEveryEchoCasePassed(Checks.Run run) {
    assertAllPass(run);
    for (String name : ECHO_CASES) {
      assertThat(run.status()).as(run.out()).containsEntry(name, "PASS");
    }
  }

  @Test
  void socklabsEchoServerPassesEveryCase() throws Exception {
    assertEveryEchoCasePassed(check("echo", socklabEchoServer()));
  }

  @Test
  void socklabsUdsServerOnASocketFilePassesEveryCase() throws Exception {
    Path sock = dir.resolve("e.sock");
    uds = UdsServer.start(UdsServer.Config.atPath(sock));
    Checks.Run run = check("echo", "--unix", sock.toString());
    assertEveryEchoCasePassed(run);
    assertThat(run.line("peer-reset")).contains("AF_UNIX has no RST");
  }

  @Test
  void socklabsUdsServerOnAnAbstractNamePassesEveryCase() throws Exception {
    String name = "socklab-check-echo-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    uds = UdsServer.start(UdsServer.Config.atAbstractName(name));
    assertEveryEchoCasePassed(check("echo", "--abstract", name));
  }

  @ParameterizedTest(name = "{0} fails {1} only")
  @CsvSource(
      delimiter = '|',
      value = {
        "echo_iterative             | concurrent-clients | serves one client at a time",
        "echo_no_half_close         | half-close         | closes on the peer's EOF before writing",
        "echo_drops_byte            | large              | write() returned less than asked",
        "echo_leaks_fds             | many-connections   | close() missing for each accepted",
        "echo_blocks_on_slow_reader | blocked-peer       | a blocking write to one slow client"
      })
  void aBrokenServerFailsExactlyItsCase(String fixture, String caseName, String hint)
      throws Exception {
    Checks.Run run = check("echo", "--exec", fixture(fixture) + " {port}");
    assertThat(run.status().keySet()).as(run.out()).containsAll(ECHO_CASES);
    assertThat(failedEchoCases(run)).as(run.out()).containsExactly(caseName);
    assertThat(run.line(caseName)).contains(hint);
    assertThat(run.exit()).isEqualTo(1);
  }

  @Test
  void aServerThatServesOneClientAtATimeSkipsWhatNeedsTwo() throws Exception {
    Checks.Run run = check("echo", "--exec", fixture("echo_iterative") + " {port}");
    assertThat(run.line("concurrent-clients"))
        .contains("client 2 got nothing within 5.0 s while client 1 (already echoed) stayed");
    for (String name : List.of("blocked-peer", "slowloris")) {
      assertThat(run.line(name))
          .as(run.out())
          .startsWith("SKIP " + name + ": the server serves one client at a time");
    }
  }

  @Test
  void aServerThatLeaksDescriptorsSaysWhereItStopped() throws Exception {
    Checks.Run run =
        check(
            "echo", "--exec", fixture("echo_leaks_fds") + " {port}", "--only", "many-connections");
    assertThat(run.line("many-connections"))
        .as(run.out())
        .containsPattern("connection \\d+ of 2000 connected but got nothing within 5.0 s")
        .containsPattern("connections 1-\\d+ were echoed and closed")
        .contains("EMFILE");
  }

  @Test
  void aServerThatSigpipeKillsFailsPeerResetAndTheCasesAfterSayItIsGone() throws Exception {
    Checks.Run run = check("echo", "--exec", fixture("echo_sigpipe") + " {port}");
    int at = ECHO_CASES.indexOf("peer-reset");
    for (String before : ECHO_CASES.subList(0, at)) {
      assertThat(run.status()).as(run.out()).containsEntry(before, "PASS");
    }
    assertThat(run.line("peer-reset"))
        .as(run.out())
        .startsWith("FAIL peer-reset")
        .contains("killed by signal 13 (SIGPIPE")
        .contains("likely bug: SIGPIPE kills the server");
    for (String after : ECHO_CASES.subList(at + 1, ECHO_CASES.size())) {
      assertThat(run.line(after))
          .as(run.out())
          .startsWith("FAIL " + after)
          .contains("the server is not running any more")
          .contains("an earlier case ended the server");
    }
  }

  @Test
  void nobodyListeningIsOneLineAndExitTwo() {
    Checks.Run run = check("echo", "127.0.0.1:1");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).startsWith("socklab check: no server at 127.0.0.1:1 (ECONNREFUSED)");
    assertThat(run.out()).isEmpty();
  }
}
