package dev.socklab.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Socket path rules, against real AF_UNIX sockets in a temporary directory. */
class UnixSocketPathsTest {
  @TempDir Path dir;

  private static ServerSocketChannel listen(Path path) throws Exception {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    s.bind(UnixDomainSocketAddress.of(path));
    return s;
  }

  @Test
  void aLiveSocketIsRefusedAndStillServes() throws Exception {
    Path p = dir.resolve("live.sock");
    try (ServerSocketChannel live = listen(p)) {
      assertThat(UnixSocketPaths.probe(p)).isEqualTo(UnixSocketPaths.State.LIVE);
      assertThatThrownBy(() -> UnixSocketPaths.prepareForBind(p, "uds-server"))
          .isInstanceOf(UserError.class)
          .hasMessageContaining("another server is live on " + p);
      assertThat(p).exists();
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
        assertThat(c.isConnected()).isTrue();
      }
    }
  }

  @Test
  void aStaleSocketIsRemoved() throws Exception {
    Path p = dir.resolve("stale.sock");
    listen(p).close(); // the JDK leaves the file behind, as a crashed server would
    assertThat(p).exists();
    assertThat(UnixSocketPaths.probe(p)).isEqualTo(UnixSocketPaths.State.STALE);
    UnixSocketPaths.prepareForBind(p, "uds-server");
    assertThat(p).doesNotExist();
  }

  @Test
  void aRegularFileIsLeftUntouchedAndRefused() throws Exception {
    Path p = dir.resolve("notes.txt");
    Files.writeString(p, "precious");
    assertThatThrownBy(() -> UnixSocketPaths.prepareForBind(p, "uds-server"))
        .hasMessageContaining("is not a socket");
    assertThat(Files.readString(p)).isEqualTo("precious");
  }

  @Test
  void aPathLongerThanSunPathIsRefused() {
    Path p = dir.resolve("x".repeat(120) + ".sock");
    assertThatThrownBy(() -> UnixSocketPaths.prepareForBind(p, "uds-server"))
        .hasMessageContaining("longer than sun_path allows (107 bytes + NUL");
  }

  @Test
  void anAbstractNameIsOneTo107BytesWithoutNul() {
    UnixSocketPaths.checkAbstractName("a");
    UnixSocketPaths.checkAbstractName("é".repeat(53)); // 106 bytes of UTF-8
    assertThatThrownBy(() -> UnixSocketPaths.checkAbstractName(""))
        .hasMessageContaining("1 to 107 bytes");
    assertThatThrownBy(() -> UnixSocketPaths.checkAbstractName("é".repeat(54)))
        .hasMessageContaining("not 108 bytes");
    assertThatThrownBy(() -> UnixSocketPaths.checkAbstractName("a\0b"))
        .hasMessageContaining("cannot contain a NUL byte");
  }

  @Test
  void linkIntoPlaceNeverReplacesAnExistingFile() throws Exception {
    Path target = dir.resolve("echo.sock");
    Path tmp = dir.resolve("tmp.sock");
    try (ServerSocketChannel s = listen(tmp)) {
      Files.writeString(target, "someone else's");
      assertThatThrownBy(() -> UnixSocketPaths.linkIntoPlace(tmp, target))
          .isInstanceOf(UserError.class);
      assertThat(Files.readString(target)).isEqualTo("someone else's");
    }
    Path tmp2 = dir.resolve("tmp2.sock");
    Path target2 = dir.resolve("echo2.sock");
    try (ServerSocketChannel s = listen(tmp2)) {
      UnixSocketPaths.linkIntoPlace(tmp2, target2);
      assertThat(tmp2).doesNotExist();
      try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(target2))) {
        assertThat(c.isConnected()).isTrue(); // the same socket, under its new name
      }
    }
  }

  @Test
  void privateDirectoryIs0700() throws Exception {
    Path d = dir.resolve("a/socklab");
    UnixSocketPaths.privateDirectory(d);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d)))
        .isEqualTo("rwx------");
    Path open = dir.resolve("open");
    Files.createDirectory(open);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> UnixSocketPaths.privateDirectory(open))
        .hasMessageContaining("others can write");
  }

  @Test
  void defaultPathIsUnderXdgRuntimeDirOrAPerUserTmpDirectory() {
    Path p = UnixSocketPaths.defaultPath("echo.sock");
    assertThat(p.getFileName()).hasToString("echo.sock");
    assertThat(p.getParent().getFileName().toString())
        .isIn("socklab", "socklab-" + UnixSocketPaths.uid());
  }
}
