package dev.socklab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.RunningProcess;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chat server as users run it: its own JVM, started the way ./socklab starts it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChatServerProcessIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @ParameterizedTest
  @ValueSource(strings = {"selector", "netty"})
  void sigtermTellsClientsThenExitsZeroWithASummary(String engine) throws Exception {
    try (RunningProcess server =
        RunningProcess.start("--bind", "127.0.0.1", "--port", "0", "--engine", engine)) {
      int port = server.awaitListeningPort(WAIT);
      try (ChatPeer a = ChatPeer.join(port);
          ChatPeer b = ChatPeer.join(port)) {
        a.send("hello");
        b.awaitLine("[guest1] hello");
        server.awaitStderr("<guest1> hello", WAIT); // the operator's view of the conversation
        assertThat(server.terminate(WAIT)).isZero();
        a.awaitEof();
        b.awaitEof();
        assertThat(a.lines).last().isEqualTo("* server shutting down");
        assertThat(b.lines).last().isEqualTo("* server shutting down");
      }
      assertThat(server.stdout())
          .anySatisfy(
              l ->
                  assertThat(l).contains("stopped (SIGTERM): 2 clients served, 1 message relayed"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"selector", "netty"})
  void fiftyMebibytesWithoutANewlineFitInATinyHeap(String engine) throws Exception {
    // A 24 MiB heap cannot hold a 50 MiB line: if the server buffered it, it would fail with
    // OutOfMemoryError. It must drop the line as it streams in, and go on serving.
    List<String> cmd =
        RunningProcess.command(
            List.of("-Xmx24m"), "--bind", "127.0.0.1", "--port", "0", "--engine", engine);
    try (RunningProcess server = RunningProcess.startCommand(cmd)) {
      int port = server.awaitListeningPort(WAIT);
      try (ChatPeer flooder = ChatPeer.join(port);
          ChatPeer other = ChatPeer.join(port);
          Socket raw = new Socket(InetAddress.getLoopbackAddress(), port)) {
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 'x');
        OutputStream out = flooder.socket.getOutputStream();
        for (int i = 0; i < 50; i++) {
          out.write(chunk);
        }
        flooder.send("");
        flooder.awaitLine("* error: line too long");
        flooder.send("after the flood");
        other.awaitLine("[guest1] after the flood");
        assertThat(server.process().isAlive()).isTrue();
      }
      assertThat(server.stderr()).noneMatch(l -> l.contains("OutOfMemoryError"));
    }
  }
}
