package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.chat.ChatServer;
import dev.socklab.echo.EchoServer;
import dev.socklab.udp.UdpServer;
import dev.socklab.uds.UdsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every mode against socklab's own servers, started in this JVM: each must be measured (exit 0, a
 * throughput in the table) with nothing lost, changed or duplicated. No speed is asserted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchModesIT {
  private static final InetSocketAddress ANY_PORT =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @TempDir Path dir;

  @Test
  void echoOverTcpAUnixPathAndAnAbstractName() throws IOException {
    try (StreamServers s = new StreamServers()) {
      Bench.Run r = Bench.run(s.args("echo", "--conns", "4"));
      assertMeasured(r, "round trips/s", s.names());
    }
  }

  @Test
  void echoOnEpollAsWellAsTheDefaultIoUring() throws IOException {
    // auto prefers io_uring where the kernel allows it; epoll is what it falls back to.
    try (StreamServers s = new StreamServers()) {
      Bench.Run r = Bench.run(s.args("echo", "--conns", "2", "--transport", "epoll"));
      assertMeasured(r, "round trips/s", s.names());
      assertThat(r.out()).contains("; epoll, 1 loop");
    }
  }

  @Test
  void connsOverTcpAUnixPathAndAnAbstractName() throws IOException {
    try (StreamServers s = new StreamServers()) {
      Bench.Run r = Bench.run(s.args("conns", "--conns", "50", "--hold", "100ms"));
      assertMeasured(r, "connections/s", s.names());
    }
  }

  /** socklab's stream echo servers: echo-server on TCP, uds-server on a file and on a name. */
  private final class StreamServers implements AutoCloseable {
    private final String name = abstractName();
    private final Path file = dir.resolve("echo.sock");
    private final EchoServer tcp = EchoServer.start(EchoServer.Config.defaults(ANY_PORT));
    private final UdsServer path = UdsServer.start(UdsServer.Config.atPath(file));
    private final UdsServer abs = UdsServer.start(UdsServer.Config.atAbstractName(name));

    StreamServers() throws IOException {}

    // bench's arguments: the mode, the three targets, then the mode's options.
    String[] args(String mode, String... options) {
      List<String> a =
          new ArrayList<>(List.of(mode, "tcp=127.0.0.1:" + tcp.localAddress().getPort()));
      a.addAll(List.of("--unix", file.toString(), "--abstract", name));
      a.addAll(List.of(options));
      return a.toArray(String[]::new);
    }

    // The targets' names in the table.
    String[] names() {
      return new String[] {"tcp", file.toString(), "@" + name};
    }

    @Override
    public void close() {
      tcp.stop(Duration.ofSeconds(1));
      path.stop(Duration.ofSeconds(1));
      abs.stop(Duration.ofSeconds(1));
    }
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void chatThroughBothEngines(ChatServer.Engine engine) throws IOException {
    try (ChatServer server = ChatServer.start(engine, ChatServer.Config.defaults(ANY_PORT))) {
      Bench.Run r =
          Bench.run("chat", "room=127.0.0.1:" + server.localAddress().getPort(), "--clients", "5");
      assertMeasured(r, "deliveries/s", "room");
    }
  }

  @Test
  void udpThroughTheUdpEchoServer() throws IOException {
    UdpServer server = UdpServer.start(UdpServer.Config.at(ANY_PORT));
    try {
      Bench.Run r = Bench.run("udp", "dg=127.0.0.1:" + server.localAddress().getPort());
      assertMeasured(r, "round trips/s", "dg");
    } finally {
      server.stop();
    }
  }

  static void assertMeasured(Bench.Run r, String unit, String... targets) {
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).as(r.toString()).contains(unit).doesNotContain("FAILED");
    for (String t : targets) {
      assertThat(r.throughput(t)).as(t + " in\n" + r).isPositive();
    }
  }

  /** Abstract names are machine-wide: one no other test run uses. */
  private static String abstractName() {
    return "socklab-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }
}
