package dev.socklab.uds;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socklab.common.UnixSocketPaths;
import dev.socklab.common.UserError;
import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.Tools;
import dev.socklab.netty.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The AF_UNIX echo server through real UNIX sockets, nc -U, socat, and other users. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UdsServerIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;
  private Path sock;
  private UdsServer server;

  @BeforeEach
  void paths() throws IOException {
    Files.setPosixFilePermissions(
        dir, PosixFilePermissions.fromString("rwxr-xr-x")); // others may look in
    sock = dir.resolve("echo.sock");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  /** A name no other test run on this machine uses: abstract names are machine-wide. */
  private static String uniqueAbstractName() {
    return "socklab-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }

  private UdsServer startAbstract(String name, Transport transport) throws IOException {
    return UdsServer.start(UdsServer.Config.atAbstractName(name).withTransport(transport));
  }

  static void requireIoUringIfAsked(Transport transport) {
    if (transport == Transport.IO_URING) {
      Tools.skipOrFail(
          io.netty.channel.uring.IoUring.isAvailable(),
          "io_uring is not available here: "
              + io.netty.channel.uring.IoUring.unavailabilityCause());
    }
  }

  private UdsServer start(int mode, Set<Integer> allow, Transport transport) throws IOException {
    server =
        UdsServer.start(
            UdsServer.Config.atPath(sock)
                .withMode(mode)
                .withAllowUids(allow)
                .withTransport(transport));
    return server;
  }

  private UdsServer start() throws IOException {
    return start(0600, Set.of(), Transport.AUTO);
  }

  private SocketChannel connect() throws IOException {
    return SocketChannel.open(UnixDomainSocketAddress.of(sock));
  }

  private static byte[] roundTrip(SocketChannel ch, byte[] data) throws IOException {
    OutputStream out = Channels.newOutputStream(ch);
    out.write(data);
    ch.shutdownOutput(); // half-close: the echo of everything still comes back
    return Channels.newInputStream(ch).readAllBytes();
  }

  @Test
  void netcatAndSocatGetTheirLineBack() throws Exception {
    Tools.requireOpenBsdNetcat();
    Tools.requireSocat();
    start();
    ncAndSocatGetTheirLineBack(sock.toString(), "UNIX-CONNECT:" + sock);
  }

  /** {@code nc -N -U NC_TARGET} and {@code socat - SOCAT_ADDRESS} each get their line back. */
  private static void ncAndSocatGetTheirLineBack(String ncTarget, String socatAddress) {
    Proc.Result nc = Proc.run(WAIT, "hi\n".getBytes(US_ASCII), List.of("nc", "-N", "-U", ncTarget));
    assertThat(nc.out()).isEqualTo("hi\n");
    Proc.Result socat =
        Proc.run(WAIT, "yo\n".getBytes(US_ASCII), List.of("socat", "-t", "5", "-", socatAddress));
    assertThat(socat.out()).isEqualTo("yo\n");
  }

  @ParameterizedTest
  @EnumSource(
      value = Transport.class,
      names = {"EPOLL", "IO_URING", "NIO"})
  void mebibyteInRandomChunksComesBackAndHalfCloseDeliversTheRest(Transport transport)
      throws Exception {
    requireIoUringIfAsked(transport);
    start(0600, Set.of(), transport);
    Random random = new Random(7);
    byte[] data = new byte[1 << 20];
    random.nextBytes(data);
    int tail = 64 * 1024;
    try (SocketChannel ch = connect()) {
      CountDownLatch halfClosed = new CountDownLatch(1);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      Future<?> reader =
          Executors.newVirtualThreadPerTaskExecutor()
              .submit(
                  () -> {
                    InputStream in = Channels.newInputStream(ch);
                    got.write(in.readNBytes(data.length - tail));
                    halfClosed.await();
                    got.write(in.readAllBytes());
                    return null;
                  });
      OutputStream out = Channels.newOutputStream(ch);
      for (int off = 0; off < data.length; ) {
        int n = Math.min(1 + random.nextInt(64 * 1024), data.length - off);
        out.write(data, off, n);
        off += n;
      }
      ch.shutdownOutput();
      halfClosed.countDown();
      reader.get(30, TimeUnit.SECONDS);
      assertThat(got.toByteArray()).isEqualTo(data);
    }
  }

  @Test
  void fiveHundredConcurrentClientsWithoutCrossTalk() throws Exception {
    start();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        byte[] mine = ("<" + i + ">").repeat(200).getBytes(US_ASCII);
        all.add(
            pool.submit(
                () -> {
                  try (SocketChannel ch = connect()) {
                    assertThat(roundTrip(ch, mine)).isEqualTo(mine);
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aStaleSocketFileIsReplacedARegularFileIsRefusedAndLeftAlone() throws Exception {
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(sock));
    dead.close(); // leaves the file, as a crashed server does
    start();
    try (SocketChannel ch = connect()) {
      assertThat(roundTrip(ch, "ok".getBytes(US_ASCII))).isEqualTo("ok".getBytes(US_ASCII));
    }
    server.stop(Duration.ofSeconds(1));
    server = null;

    Files.writeString(sock, "precious");
    assertThatThrownBy(this::start)
        .isInstanceOf(UserError.class)
        .hasMessageContaining("is not a socket");
    assertThat(Files.readString(sock)).isEqualTo("precious");
  }

  @ParameterizedTest
  @EnumSource(
      value = Transport.class,
      names = {"EPOLL", "IO_URING"})
  void anAbstractNameServesNcAndSocatIsNeverStolenAndIsFreedOnStop(Transport transport)
      throws Exception {
    requireIoUringIfAsked(transport);
    Tools.requireOpenBsdNetcat();
    Tools.requireSocat();
    String name = uniqueAbstractName();
    server = startAbstract(name, transport);
    ncAndSocatGetTheirLineBack("@" + name, "ABSTRACT-CONNECT:" + name);
    assertThat(Files.list(dir)).isEmpty(); // no file anywhere near

    assertThatThrownBy(() -> startAbstract(name, transport))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("@" + name + " is in use by a live socket");
    assertThat(
            Proc.run(WAIT, "still\n".getBytes(US_ASCII), List.of("nc", "-N", "-U", "@" + name))
                .out())
        .isEqualTo("still\n");

    server.stop(Duration.ofSeconds(1)); // the kernel frees the name with the listener
    server = startAbstract(name, transport);
  }

  @Test
  void anAbstractNameIsRefusedOnNioAndWhenTooLong() {
    assertThatThrownBy(() -> startAbstract(uniqueAbstractName(), Transport.NIO))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("--abstract needs a native transport");
    assertThatThrownBy(() -> startAbstract("n".repeat(108), Transport.AUTO))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("1 to 107 bytes");
  }

  @Test
  void aTooLongPathIsRefused() throws IOException {
    sock = dir.resolve("p".repeat(110));
    assertThatThrownBy(this::start).isInstanceOf(UserError.class).hasMessageContaining("sun_path");

    // Fits sun_path itself, but not once bound under the private directory first: said so.
    Path deep = Files.createDirectory(dir.resolve("d".repeat(95 - dir.toString().length())));
    sock = deep.resolve("x.sock"); // 102 bytes; deep/.socklab-bind-NNN/s is over 107
    assertThatThrownBy(this::start)
        .isInstanceOf(UserError.class)
        .hasMessageContaining("fits sun_path, but it is first bound in a private directory");
    assertThat(Files.list(deep)).isEmpty(); // the private directory is not left behind
  }

  @Test
  void theSocketFileIs0600AndIsRemovedOnStop() throws Exception {
    start();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)))
        .isEqualTo("rw-------");
    assertThat(Files.list(dir)).containsExactly(sock); // no temporary name left behind
    server.stop(Duration.ofSeconds(1));
    server = null;
    assertThat(sock).doesNotExist();
  }

  @Test
  void allowUidClosesOtherUids() throws Exception {
    int me = UnixSocketPaths.uid();
    start(0600, Set.of(me + 12345), Transport.EPOLL);
    try (SocketChannel ch = connect()) {
      assertThat(Channels.newInputStream(ch).read()).isEqualTo(-1); // closed at once
    }
    assertThat(server.stop(Duration.ofSeconds(1)).refused()).isEqualTo(1);
    server = null;
  }

  @Test
  void fileModeDecidesWhetherAnotherUserMayConnect() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Tools.skipOrFail(
        root && Tools.onPath("runuser"), "needs root and runuser to connect as user nobody");
    Tools.requireOpenBsdNetcat();
    List<String> asNobody =
        List.of("runuser", "-u", "nobody", "--", "nc", "-N", "-U", sock.toString());
    start(0600, Set.of(), Transport.AUTO);
    Proc.Result denied = Proc.run(WAIT, "x\n".getBytes(US_ASCII), asNobody);
    assertThat(denied.exit()).isNotZero();
    assertThat(denied.stderr()).contains("Permission denied");
    server.stop(Duration.ofSeconds(1));
    start(0666, Set.of(), Transport.AUTO);
    Proc.Result allowed = Proc.run(WAIT, "x\n".getBytes(US_ASCII), asNobody);
    assertThat(allowed.out()).isEqualTo("x\n");
  }
}
