package dev.socklab.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.RunningProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The echo server as a user runs it: its own JVM, started the way ./socklab starts it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoServerProcessIT {
  private static final Duration STARTUP = Duration.ofSeconds(20);

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(10_000);
    return s;
  }

  private static void assertRoundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(US_ASCII));
    assertThat(new String(s.getInputStream().readNBytes(text.length()), US_ASCII)).isEqualTo(text);
  }

  @Test
  void sigtermWithAClientConnectedGivesItEofExitsZeroAndPrintsASummary() throws Exception {
    try (RunningProcess server = RunningProcess.start("--bind", "127.0.0.1", "--port", "0")) {
      int port = server.awaitListeningPort(STARTUP);
      try (Socket client = connect(port)) {
        assertRoundTrip(client, "hello");
        assertThat(server.terminate(Duration.ofSeconds(20)))
            .as("stderr %s", server.stderr())
            .isZero();
        assertThat(client.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(server.stdout())
          .as("stderr %s", server.stderr())
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains("stopped (SIGTERM)")
                      .contains("1 client served")
                      .contains("5 bytes echoed"));
    }
  }

  @Test
  void aClientsLineCountsOneByteInTheSingular() throws Exception {
    try (RunningProcess server = RunningProcess.start("--bind", "127.0.0.1", "--port", "0")) {
      int port = server.awaitListeningPort(STARTUP);
      try (Socket client = connect(port)) {
        assertRoundTrip(client, "x");
      }
      assertThat(server.terminate(Duration.ofSeconds(20)))
          .as("stderr %s", server.stderr())
          .isZero();
      // EOF or the shutdown may end the connection first: either way its line counts 1 byte.
      assertThat(server.stderr())
          .as("stdout %s", server.stdout())
          .anySatisfy(l -> assertThat(l).contains("127.0.0.1").endsWith(", 1 byte echoed"));
    }
  }

  @Test
  void secondServerOnTheSamePortExitsOneWithOneClearLine() throws Exception {
    try (RunningProcess first = RunningProcess.start("--bind", "127.0.0.1", "--port", "0")) {
      int port = first.awaitListeningPort(STARTUP);
      try (RunningProcess second =
          RunningProcess.start("--bind", "127.0.0.1", "--port", Integer.toString(port))) {
        assertThat(second.waitFor(Duration.ofSeconds(20))).isEqualTo(1);
        assertThat(second.stderr()).hasSize(1);
        assertThat(second.stderr().getFirst())
            .startsWith("socklab echo-server: port " + port + " is already in use")
            .contains("--port 0");
      }
      try (Socket s = connect(port)) {
        assertRoundTrip(s, "first still serves");
      }
    }
  }

  @Test
  void traceNamesEverySocketCall() throws Exception {
    try (RunningProcess server =
        RunningProcess.start("--bind", "127.0.0.1", "--port", "0", "--trace")) {
      int port = server.awaitListeningPort(STARTUP);
      try (Socket s = connect(port)) {
        assertRoundTrip(s, "hello\n");
        s.shutdownOutput();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      Duration wait = Duration.ofSeconds(10);
      server.awaitStderr("socket(AF_INET", wait);
      server.awaitStderr("bind(127.0.0.1:" + port + ")", wait);
      server.awaitStderr("listen(backlog=1024)", wait);
      server.awaitStderr("accept() -> 127.0.0.1:", wait);
      assertThat(server.awaitStderr("read() -> 6 bytes", wait))
          .contains("68 65 6c 6c 6f 0a")
          .contains("|hello.|");
      server.awaitStderr("write(6)", wait);
      server.awaitStderr("read() -> 0 (EOF", wait);
      server.awaitStderr("shutdown(SHUT_WR)", wait);
      server.awaitStderr("close()", wait);
    }
  }

  @Test
  void badOptionValueIsAUsageErrorWithExitTwo() {
    try (RunningProcess server = RunningProcess.start("--threads", "lots")) {
      assertThat(server.waitFor(Duration.ofSeconds(20))).isEqualTo(2);
      assertThat(String.join("\n", server.stderr()))
          .contains("virtual, platform or pool=N")
          .contains("--help");
    }
  }
}
