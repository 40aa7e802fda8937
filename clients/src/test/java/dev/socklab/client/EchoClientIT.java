package dev.socklab.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.Cli;
import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.echo.EchoServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** echo-client against socklab's echo server, against a broken one, and against nobody. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoClientIT {
  private EchoServer server;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void startServer() throws IOException {
    server =
        EchoServer.start(
            EchoServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
  }

  @AfterEach
  void stopServer() {
    server.stop(Duration.ofSeconds(2));
  }

  private int client(String... args) {
    EchoClient client =
        new EchoClient(
            InputStream.nullInputStream(),
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8));
    return Cli.commandLine(client)
        .setOut(new java.io.PrintWriter(out, true, UTF_8))
        .setErr(new java.io.PrintWriter(err, true, UTF_8))
        .execute(args);
  }

  private String target(int port) {
    return "127.0.0.1:" + port;
  }

  @Test
  void scriptedModeVerifiesEveryEchoAndPrintsPercentiles() {
    int port = server.localAddress().getPort();
    assertThat(client(target(port), "--count", "300", "--size", "700")).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("300 messages of 700 bytes to 127.0.0.1:" + port + ": all verified")
        .containsPattern("round trip \\(us\\): min [\\d.]+  p50 [\\d.]+  p99 [\\d.]+  max [\\d.]+");
    assertThat(server.stats().bytesEchoed()).isEqualTo(300 * 700);
  }

  @Test
  void scriptedModeHandlesMessagesLargerThanTheSocketBuffers() {
    int port = server.localAddress().getPort();
    assertThat(client(target(port), "--count", "3", "--size", "4000000"))
        .as(err.toString())
        .isZero();
  }

  @Test
  void aServerThatCorruptsOneByteFailsTheCheck() throws Exception {
    try (ServerSocket corrupting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread peer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Socket s = corrupting.accept()) {
                      InputStream in = s.getInputStream();
                      OutputStream o = s.getOutputStream();
                      byte[] buf = new byte[64];
                      long total = 0;
                      int n;
                      while ((n = in.read(buf)) != -1) {
                        for (int i = 0; i < n; i++) {
                          if (total + i == 150) {
                            buf[i] ^= 0x01; // one bit of the third message
                          }
                        }
                        total += n;
                        o.write(buf, 0, n);
                      }
                    } catch (IOException e) {
                      // the client gave up on us: expected
                    }
                  });
      assertThat(client(target(corrupting.getLocalPort()), "--count", "5", "--size", "64"))
          .isEqualTo(1);
      assertThat(err.toString()).contains("FAILED: message 3: byte 22 differs");
      peer.join(10_000);
    }
  }

  @Test
  void nobodyListeningIsOneClearLineAndExitOne() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // closed again: nothing listens there now
    }
    Proc.Result r =
        Proc.run(
            Duration.ofSeconds(30),
            new byte[0],
            RunningProcess.command("echo-client", target(port), "--count", "1"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr().lines())
        .containsExactly(
            "socklab echo-client: no server at 127.0.0.1:"
                + port
                + " (ECONNREFUSED) — start one with ./socklab echo-server --port "
                + port);
  }

  @Test
  void interactiveModeEchoesStdinAndExitsAfterHalfClose() {
    int port = server.localAddress().getPort();
    byte[] input = "hello\n안녕하세요\nlast line without newline".getBytes(UTF_8);
    Proc.Result r =
        Proc.run(
            Duration.ofSeconds(30), input, RunningProcess.command("echo-client", target(port)));
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo(input);
  }

  @Test
  void aBadTargetIsAUsageLevelOneLiner() {
    assertThat(client("localhost:99999")).isEqualTo(2); // a usage error
    assertThat(err.toString()).contains("bad port 99999");
  }
}
