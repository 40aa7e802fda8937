package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archives (its cds_options): the first run of a command writes one as it
 * exits, later runs map it, and an archive that is stale, broken or has nowhere to go never shows:
 * the server starts, prints its banner and its summary and nothing else, and exits 0. Mostly on the
 * unpacked release, each test with its own XDG_CACHE_HOME; one test on a clone's layout (the
 * archive in MODULE/target/cds). No timing is asserted anywhere.
 */
class ClassDataSharingIT {
  private static final Duration START = Duration.ofSeconds(30);
  private static final Duration RUN = Duration.ofSeconds(60);
  // What a dynamic archive starts with: 0xf00baba8, little-endian.
  private static final byte[] MAGIC = {(byte) 0xa8, (byte) 0xab, 0x0b, (byte) 0xf0};
  // Picked by -Xlog:class+load when a class comes from the archive on top of the JDK's.
  private static final String MAPPED =
      "dev.socklab.echo.EchoServerCommand source: shared objects file (top)";
  // picocli too: its own jar's Java 5 class files were never archived (picocli/pom.xml).
  private static final String PICOCLI_MAPPED =
      "picocli.CommandLine source: shared objects file (top)";

  @TempDir static Path unpacked;
  private static Path home;

  @TempDir Path tmp;

  @BeforeAll
  static void unpack() {
    Proc.Result r =
        Proc.run(
            RUN,
            new byte[0],
            List.of(
                "tar", "-xzf", System.getProperty("socklab.tarball"), "-C", unpacked.toString()));
    assertThat(r.exit()).as(r.stderr()).isZero();
    home = unpacked.resolve("socklab-" + System.getProperty("socklab.version"));
  }

  @Test
  void theFirstRunWritesTheArchiveAsItExitsAndTheNextMapsIt() throws IOException {
    Path cache = tmp.resolve("cache");
    assertThat(archives(cache)).isEmpty();

    Run first = echoServer(home, "bin/socklab", cache);
    first.assertClean();
    List<Path> written = archives(cache);
    assertThat(written).hasSize(1);
    assertThat(written.get(0).getFileName().toString()).startsWith("echo-server.");
    assertThat(magic(written.get(0))).isTrue();

    Run second = echoServer(home, "bin/socklab", cache, "SOCKLAB_JAVA_OPTS=-Xlog:class+load");
    assertThat(second.exit()).as(second.stderr().toString()).isZero();
    assertThat(second.stdout()).anyMatch(l -> l.endsWith(MAPPED));
    assertThat(second.stdout()).anyMatch(l -> l.endsWith(PICOCLI_MAPPED));
  }

  @Test
  void anArchiveWhoseJarsChangedIsWrittenAgainWithoutAWord() throws IOException {
    Path cache = tmp.resolve("cache");
    echoServer(home, "bin/socklab", cache).assertClean();
    Path archive = archives(cache).get(0);
    FileTime written = Files.getLastModifiedTime(archive);

    // A newer jar, as an upgrade unpacked over the old one or a rebuild would leave it. (The JVM
    // itself would only ignore the archive, at every start, and never write it again.)
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      Path jar = jars.filter(j -> j.toString().endsWith(".jar")).findFirst().orElseThrow();
      Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
    }
    echoServer(home, "bin/socklab", cache).assertClean();
    assertThat(archives(cache)).containsExactly(archive);
    assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(written);

    Run mapped = echoServer(home, "bin/socklab", cache, "SOCKLAB_JAVA_OPTS=-Xlog:class+load");
    assertThat(mapped.stdout()).anyMatch(l -> l.endsWith(MAPPED));
  }

  @Test
  void aBrokenArchiveIsWrittenAgainWithoutAWord() throws IOException {
    // As a run killed while it wrote the archive leaves it: no header. The JVM warns about such
    // a file at every start and never replaces it.
    Path cache = tmp.resolve("cache");
    echoServer(home, "bin/socklab", cache).assertClean();
    Path archive = archives(cache).get(0);
    long size = Files.size(archive);
    Files.delete(archive); // the JVM writes it read-only
    Files.write(archive, new byte[(int) size]);

    echoServer(home, "bin/socklab", cache).assertClean();
    assertThat(magic(archive)).isTrue();
    assertThat(
            echoServer(home, "bin/socklab", cache, "SOCKLAB_JAVA_OPTS=-Xlog:class+load").stdout())
        .anyMatch(l -> l.endsWith(MAPPED));
  }

  @Test
  void nowhereToWriteTheArchiveIsNoArchiveAndNoWord() throws IOException {
    // XDG_CACHE_HOME under a plain file: its folder cannot be made (as on a read-only /, which
    // root cannot write either). Given -XX:+AutoCreateSharedArchive there, the JVM would print
    // an error and exit 1 after the server's own summary.
    Path file = Files.writeString(tmp.resolve("not-a-folder"), "");
    echoServer(home, "bin/socklab", file.resolve("cache")).assertClean();
    echoServer(home, "bin/socklab", file.resolve("cache")).assertClean();
  }

  @Test
  void theUsersOwnClassDataOptionsWin() throws IOException {
    Path cache = tmp.resolve("cache");
    echoServer(home, "bin/socklab", cache, "SOCKLAB_JAVA_OPTS=-Xshare:off").assertClean();
    assertThat(archives(cache)).isEmpty();

    // With our -XX:+AutoCreateSharedArchive as well, this one would stop the JVM at its start.
    Path mine = tmp.resolve("mine.jsa");
    echoServer(
            home,
            "bin/socklab",
            cache,
            "SOCKLAB_JAVA_OPTS=-XX:ArchiveClassesAtExit=" + mine + " -Xlog:cds=off")
        .assertClean();
    assertThat(mine).isRegularFile();
    assertThat(archives(cache)).isEmpty();

    echoServer(home, "bin/socklab", cache, "SOCKLAB_CDS=off").assertClean();
    assertThat(archives(cache)).isEmpty();
  }

  @Test
  void helpAndVersionNeverWriteTheArchive() throws IOException {
    // An archive holds what the run that wrote it loaded: one written by --help would leave the
    // server's own classes out for good.
    Path cache = tmp.resolve("cache");
    for (String arg : List.of("--help", "--version")) {
      Proc.Result r =
          Proc.run(
              RUN,
              new byte[0],
              Launch.command(
                  home, "bin/socklab", List.of("XDG_CACHE_HOME=" + cache), "echo-server", arg));
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(r.stderr()).isEmpty();
    }
    assertThat(archives(cache)).isEmpty();
  }

  @Test
  void aCloneKeepsTheArchiveInTheModulesTarget() throws IOException {
    Path clone = BuiltClone.make(tmp.resolve("clone"), "echo-server");
    Path target = clone.resolve("echo-server/target");

    echoServer(clone, "./socklab", tmp.resolve("unused")).assertClean();
    assertThat(archives(target.resolve("cds"))).hasSize(1);
    assertThat(archives(tmp.resolve("unused"))).isEmpty();
    assertThat(
            echoServer(
                    clone, "./socklab", tmp.resolve("unused"), "SOCKLAB_JAVA_OPTS=-Xlog:class+load")
                .stdout())
        .anyMatch(l -> l.endsWith(MAPPED));
  }

  /** One run of a server: its exit code and all it printed. */
  private record Run(int exit, List<String> stdout, List<String> stderr) {
    // Banner and summary on stdout; on stderr the log line of the signal; nothing else.
    void assertClean() {
      String all = "stdout " + stdout + " stderr " + stderr;
      assertThat(exit).as(all).isZero();
      assertThat(stdout).as(all).hasSize(2);
      assertThat(stdout.get(0)).as(all).startsWith("echo-server listening on 127.0.0.1:");
      assertThat(stdout.get(1)).as(all).startsWith("echo-server stopped (SIGTERM): ");
      assertThat(stderr)
          .as(all)
          .allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  SIGTERM received: .*"));
    }
  }

  // echo-server on a free loopback port until its banner, then SIGTERM.
  private static Run echoServer(Path dir, String launcher, Path cache, String... env) {
    List<String> settings = new ArrayList<>(List.of("XDG_CACHE_HOME=" + cache));
    settings.addAll(List.of(env));
    try (RunningProcess p =
        RunningProcess.startCommand(
            Launch.command(
                dir, launcher, settings, "echo-server", "--port", "0", "--bind", "127.0.0.1"))) {
      p.awaitListeningPort(START);
      int exit = p.terminate(START);
      return new Run(exit, List.copyOf(p.stdout()), List.copyOf(p.stderr()));
    }
  }

  // The archives the launcher wrote under dir (the release's per-install folders included).
  private static List<Path> archives(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".jsa")).sorted().toList();
    }
  }

  private static boolean magic(Path archive) throws IOException {
    try (InputStream in = Files.newInputStream(archive)) {
      return java.util.Arrays.equals(in.readNBytes(4), MAGIC);
    }
  }
}
