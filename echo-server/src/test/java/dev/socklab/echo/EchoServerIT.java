package dev.socklab.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The echo server in this JVM, driven through real loopback sockets and real nc/socat. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EchoServerIT {
  private EchoServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  private static EchoServer.Config onLoopback() {
    return EchoServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  private EchoServer start(EchoServer.Config config) throws IOException {
    server = EchoServer.start(config);
    return server;
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void assertRoundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(US_ASCII));
    assertThat(new String(s.getInputStream().readNBytes(text.length()), US_ASCII)).isEqualTo(text);
  }

  @Test
  void netcatGetsItsLineBack() throws IOException {
    Tools.requireOpenBsdNetcat();
    start(onLoopback());
    Proc.Result r =
        Proc.run(
            Duration.ofSeconds(20),
            "hello\n".getBytes(US_ASCII),
            List.of("nc", "-N", "127.0.0.1", Integer.toString(server.localAddress().getPort())));
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.out()).isEqualTo("hello\n");
  }

  @Test
  void socatGetsItsLineBack() throws IOException {
    Tools.requireSocat();
    start(onLoopback());
    Proc.Result r =
        Proc.run(
            Duration.ofSeconds(20),
            "hello\n".getBytes(US_ASCII),
            List.of("socat", "-t", "5", "-", "TCP:127.0.0.1:" + server.localAddress().getPort()));
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.out()).isEqualTo("hello\n");
  }

  @Test
  void mebibyteInRandomChunksComesBackExactlyAndHalfCloseStillDeliversTheRest() throws Exception {
    start(onLoopback());
    Random random = new Random(862);
    byte[] data = new byte[1 << 20];
    random.nextBytes(data);
    for (int v = 0; v < 256; v++) {
      data[v * 4096] = (byte) v; // every byte value is in there for sure
    }
    int tail = 64 * 1024; // read only after our FIN: the server must still send it
    try (Socket s = connect()) {
      CountDownLatch halfClosed = new CountDownLatch(1);
      ByteArrayOutputStream received = new ByteArrayOutputStream(data.length);
      Future<Integer> reader =
          Executors.newVirtualThreadPerTaskExecutor()
              .submit(
                  () -> {
                    InputStream in = s.getInputStream();
                    received.write(in.readNBytes(data.length - tail));
                    halfClosed.await();
                    received.write(in.readAllBytes()); // the rest, then EOF
                    return received.size();
                  });
      OutputStream out = s.getOutputStream();
      for (int off = 0; off < data.length; ) {
        int n = Math.min(1 + random.nextInt(64 * 1024), data.length - off);
        out.write(data, off, n);
        off += n;
      }
      s.shutdownOutput();
      halfClosed.countDown();
      assertThat(reader.get(30, TimeUnit.SECONDS)).isEqualTo(data.length);
      assertThat(received.toByteArray()).isEqualTo(data);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"virtual", "platform"})
  void thousandConcurrentClientsNeverSeeEachOthersBytes(String threads) throws Exception {
    start(onLoopback().withThreads(ThreadModel.parse(threads)));
    int clients = 1000;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        int id = i;
        done.add(
            pool.submit(
                () -> {
                  byte[] payload = ("<client " + id + ">").repeat(100).getBytes(US_ASCII);
                  try (Socket s = connect()) {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                    assertThat(s.getInputStream().readAllBytes()).isEqualTo(payload);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    assertThat(server.stats().clients()).isEqualTo(clients);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 0);
  }

  @Test
  void poolOfTwoServesTheThirdClientOnlyAfterOneLeaves() throws Exception {
    start(onLoopback().withThreads(ThreadModel.parse("pool=2")));
    try (Socket a = connect();
        Socket b = connect();
        Socket c = connect()) {
      assertRoundTrip(a, "a");
      assertRoundTrip(b, "b");
      c.getOutputStream().write('c');
      await().atMost(Duration.ofSeconds(5)).until(() -> server.connectedClients() == 3);
      c.setSoTimeout(500); // both pool threads are busy: nothing may come back meanwhile
      assertThatThrownBy(() -> c.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      a.close();
      c.setSoTimeout(10_000);
      assertThat(c.getInputStream().read()).isEqualTo('c');
      assertRoundTrip(b, "still served");
    }
  }

  @Test
  void clientThatResetsLeavesTheServerServing() throws Exception {
    start(onLoopback());
    try (Socket rude = connect()) {
      assertRoundTrip(rude, "bye");
      rude.getOutputStream().write("unread".getBytes(US_ASCII));
      rude.setSoLinger(true, 0); // close() now sends RST instead of FIN
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 0);
    try (Socket s = connect()) {
      assertRoundTrip(s, "still here");
    }
  }

  @Test
  void maxClientsClosesTheOneTooMany() throws Exception {
    start(onLoopback().withMaxClients(2));
    try (Socket a = connect();
        Socket b = connect();
        Socket c = connect()) {
      assertRoundTrip(a, "a");
      assertRoundTrip(b, "b");
      assertThat(c.getInputStream().read()).isEqualTo(-1); // closed at once: EOF
      assertThat(server.stats().refused()).isEqualTo(1);
      assertRoundTrip(a, "a again");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedClients() == 0);
    try (Socket d2 = connect()) {
      assertRoundTrip(d2, "room again"); // a and b left, so a new client fits
    }
  }

  @Test
  void idleTimeoutClosesASilentClientButNotBefore() throws Exception {
    Duration idle = Duration.ofMillis(400);
    start(onLoopback().withIdleTimeout(idle));
    try (Socket s = connect()) {
      assertRoundTrip(s, "x");
      long lastActivity = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1); // the server closed it
      assertThat(Duration.ofNanos(System.nanoTime() - lastActivity))
          .isGreaterThanOrEqualTo(idle.minusMillis(50));
    }
  }

  @Test
  void stopGivesConnectedClientsEofAndCountsThem() throws Exception {
    start(onLoopback());
    try (Socket s = connect()) {
      assertRoundTrip(s, "12345");
      long t0 = System.nanoTime();
      EchoServer.Stats stats = server.stop(Duration.ofSeconds(10));
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(stats.clients()).isEqualTo(1);
      assertThat(stats.bytesEchoed()).isEqualTo(5);
      // An idle client holds nothing in flight, so stop() need not wait out the grace period.
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
  }
}
