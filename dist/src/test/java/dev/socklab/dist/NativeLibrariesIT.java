package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.RunningProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's JNI libraries reach a server through java.library.path, from the files the build unpacked
 * into netty-common/target/native (the release's lib/native: {@link ReleaseTarballIT}), not from a
 * copy Netty would otherwise write into a temporary directory at every start: a server whose
 * temporary directory cannot be written (or is mounted noexec) still runs on epoll instead of
 * falling back to NIO without its peer credentials.
 */
class NativeLibrariesIT {
  private static final Duration START = Duration.ofSeconds(30);

  @TempDir Path tmp;

  @Test
  void theCloneHasTheLibrariesOfEveryArchitectureAsFiles() {
    assertThat(LauncherTable.root().resolve("netty-common/target/native"))
        .isDirectoryContaining("glob:**/libnetty_transport_native_epoll_x86_64.so")
        .isDirectoryContaining("glob:**/libnetty_transport_native_epoll_aarch_64.so")
        .isDirectoryContaining("glob:**/libnetty_transport_native_io_uring42_x86_64.so");
  }

  @Test
  void aServerThatCannotWriteItsTemporaryDirectoryStillRunsOnEpoll() throws IOException {
    Path clone = BuiltClone.make(tmp.resolve("clone"), "uds-server");
    BuiltClone.copyFiles(
        LauncherTable.root().resolve("netty-common/target/native"),
        clone.resolve("netty-common/target/native"));
    Files.createDirectories(tmp.resolve("scratch"));
    assertServesOnEpoll(clone, "./socklab", tmp.resolve("scratch"));
  }

  /**
   * Starts uds-server with Netty's work directory set to a regular file, in which no file can be
   * created (not even by root), and checks that its banner names epoll; stops it. Without the
   * libraries on java.library.path the same server says NIO.
   *
   * @param dir the clone or the unpacked release
   * @param launcher {@code ./socklab} or {@code bin/socklab}
   * @param scratch an empty directory of the test's, for the socket and the would-be work directory
   * @throws IOException if the scratch file cannot be made
   */
  static void assertServesOnEpoll(Path dir, String launcher, Path scratch) throws IOException {
    Path notADirectory = Files.writeString(scratch.resolve("not-a-directory"), "");
    String opts =
        "-Dio.netty.native.workdir=" + notADirectory + " -Dio.netty.tmpdir=" + notADirectory;
    try (RunningProcess server =
        RunningProcess.startCommand(
            Launch.command(
                dir,
                launcher,
                List.of("SOCKLAB_JAVA_OPTS=" + opts),
                "uds-server",
                "--path",
                scratch.resolve("s.sock").toString()))) {
      String banner = server.awaitStdout("listening on", START);
      assertThat(banner).as(server.stderr().toString()).contains("epoll)");
      assertThat(server.stderr()).noneMatch(l -> l.contains("NIO"));
      assertThat(server.terminate(START)).as(server.stderr().toString()).isZero();
    }
  }
}
