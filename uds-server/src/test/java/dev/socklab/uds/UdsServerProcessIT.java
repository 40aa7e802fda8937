package dev.socklab.uds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import dev.socklab.netty.Transport;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** uds-server as users run it: its own JVM, started the way ./socklab starts it. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UdsServerProcessIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;

  @Test
  void aSecondServerOnALivePathExitsOneAndTheFirstKeepsServing() throws Exception {
    Path sock = dir.resolve("live.sock");
    try (RunningProcess first = RunningProcess.start("--path", sock.toString())) {
      first.awaitStdout("listening on", WAIT);
      try (RunningProcess second = RunningProcess.start("--path", sock.toString())) {
        assertThat(second.waitFor(WAIT)).isEqualTo(1);
        assertThat(second.stderr()).hasSize(1);
        assertThat(second.stderr().getFirst()).contains("another server is live on " + sock);
      }
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
        Channels.newOutputStream(ch).write('k');
        assertThat(Channels.newInputStream(ch).read()).isEqualTo('k');
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Transport.class,
      names = {"EPOLL", "IO_URING"})
  void peerCredentialsInTheLogAreThoseOfTheConnectingProcess(Transport transport) throws Exception {
    UdsServerIT.requireIoUringIfAsked(transport);
    Tools.requireOpenBsdNetcat();
    Path sock = dir.resolve("cred.sock");
    try (RunningProcess server =
        RunningProcess.start("--path", sock.toString(), "--transport", transport.toString())) {
      server.awaitStdout("listening on", WAIT);
      try (RunningProcess nc = RunningProcess.startCommand(List.of("nc", "-U", sock.toString()))) {
        long pid = nc.process().pid();
        String line = server.awaitStderr("connected: pid=" + pid, WAIT);
        assertThat(line).contains("uid=" + dev.socklab.common.UnixSocketPaths.uid());
      }
    }
  }

  @Test
  void sigtermRemovesTheSocketFileAndExitsZero() throws Exception {
    Path sock = dir.resolve("term.sock");
    try (RunningProcess server =
        RunningProcess.start("--path", sock.toString(), "--transport", "nio")) {
      server.awaitStdout("listening on", WAIT);
      assertThat(sock).exists();
      assertThat(server.terminate(WAIT)).isZero();
      assertThat(sock).doesNotExist();
      assertThat(server.stdout())
          .anySatisfy(l -> assertThat(l).contains("uds-server stopped (SIGTERM)"));
    }
  }

  @Test
  void aClientThatWritesHundredMebibytesWithoutReadingCannotGrowTheServer() throws Exception {
    // A 32 MiB heap (and so 32 MiB of direct memory) cannot hold 100 MiB: without back-pressure
    // the server would die of OutOfMemoryError. With it, the writer is simply stopped by the
    // full socket buffers until it reads, then gets every byte back.
    Path sock = dir.resolve("flood.sock");
    List<String> cmd = RunningProcess.command(List.of("-Xmx32m"), "--path", sock.toString());
    try (RunningProcess server = RunningProcess.startCommand(cmd);
        SocketChannel ch = waitAndConnect(server, sock)) {
      int total = 100 << 20;
      byte[] chunk = new byte[1 << 20];
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) (i * 31 + 7);
      }
      Future<byte[]> writer =
          Executors.newVirtualThreadPerTaskExecutor()
              .submit(
                  () -> {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    OutputStream out = Channels.newOutputStream(ch);
                    for (int sent = 0; sent < total; sent += chunk.length) {
                      out.write(chunk);
                      md.update(chunk);
                    }
                    ch.shutdownOutput();
                    return md.digest();
                  });
      // The writer must block: the server stops reading while we do not read its echoes.
      assertThat(waitBlocked(writer)).isTrue();
      assertThat(server.process().isAlive()).isTrue();
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      InputStream in = Channels.newInputStream(ch);
      byte[] buf = new byte[1 << 16];
      long got = 0;
      for (int n; (n = in.read(buf)) != -1; ) {
        md.update(buf, 0, n);
        got += n;
      }
      assertThat(got).isEqualTo(total);
      assertThat(Arrays.equals(md.digest(), writer.get(60, TimeUnit.SECONDS))).isTrue();
      assertThat(server.stderr()).noneMatch(l -> l.contains("OutOfMemoryError"));
    }
  }

  private static boolean waitBlocked(Future<?> writer) {
    try {
      writer.get(2, TimeUnit.SECONDS); // bounded: it should still be blocked after this
      return false;
    } catch (java.util.concurrent.TimeoutException e) {
      return true;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static SocketChannel waitAndConnect(RunningProcess server, Path sock) throws Exception {
    server.awaitStdout("listening on", WAIT);
    return SocketChannel.open(UnixDomainSocketAddress.of(sock));
  }
}
