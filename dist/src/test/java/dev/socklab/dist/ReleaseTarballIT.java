package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball, unpacked where no clone and no Maven are: its bin/socklab runs the servers
 * and clients from lib/, and it carries the docs, the man pages and the completion.
 */
class ReleaseTarballIT {
  private static final Duration START = Duration.ofSeconds(30);
  private static final Duration RUN = Duration.ofSeconds(60);

  @TempDir static Path unpacked;
  private static Path home;

  @BeforeAll
  static void unpack() {
    String tarball = System.getProperty("socklab.tarball");
    assertThat(tarball)
        .as("system property socklab.tarball (run as an *IT with failsafe)")
        .isNotNull();
    Proc.Result r =
        Proc.run(RUN, new byte[0], List.of("tar", "-xzf", tarball, "-C", unpacked.toString()));
    assertThat(r.exit()).as(r.stderr()).isZero();
    home = unpacked.resolve("socklab-" + System.getProperty("socklab.version"));
  }

  @Test
  void holdsTheLauncherEveryJarTheDocsTheManPagesAndTheCompletion() throws IOException {
    assertThat(home.resolve("bin/socklab")).isExecutable();
    assertThat(home.resolve("README.md")).isRegularFile();
    assertThat(home.resolve("docs/protocols.md")).isRegularFile();
    assertThat(home.resolve("docs/syscalls.md")).isRegularFile();
    assertThat(home.resolve("share/bash-completion/completions/socklab"))
        .hasSameTextualContentAs(Generated.completion());
    for (String page : names(Generated.man1())) {
      assertThat(home.resolve("share/man/man1").resolve(page))
          .hasSameTextualContentAs(Generated.man1().resolve(page));
    }
    assertThat(names(home.resolve("lib")))
        .contains(
            "socklab-common-" + System.getProperty("socklab.version") + ".jar",
            "socklab-clients-" + System.getProperty("socklab.version") + ".jar",
            "socklab-uds-server-" + System.getProperty("socklab.version") + ".jar",
            // picocli, compiled for Java 21 (picocli/pom.xml), and not picocli's own jar too
            "socklab-picocli-" + System.getProperty("socklab.version") + ".jar")
        .noneMatch(n -> n.startsWith("picocli-"))
        .anyMatch(n -> n.startsWith("netty-transport-native-epoll-") && n.contains("linux-x86_64"))
        .noneMatch(n -> n.contains("osx-") || n.contains("windows-"));
    assertThat(names(home.resolve("lib/native")))
        .contains(
            "libnetty_transport_native_epoll_x86_64.so",
            "libnetty_transport_native_epoll_aarch_64.so");
    assertThat(home.resolve("pom.xml")).doesNotExist();
    assertThat(home.resolve("mvnw")).doesNotExist();
  }

  @Test
  void echoServerAndClientRunFromTheUnpackedRelease() {
    try (RunningProcess server =
        Launch.start(home, "bin/socklab", "echo-server", "--port", "0", "--bind", "127.0.0.1")) {
      int port = server.awaitListeningPort(START);
      Proc.Result client =
          Proc.run(
              RUN,
              new byte[0],
              Launch.command(
                  home, "bin/socklab", "echo-client", "127.0.0.1:" + port, "--count", "10"));
      assertThat(client.exit()).as(client.stderr()).isZero();
      assertThat(client.out()).contains("10 messages", "all verified");
      assertThat(server.terminate(START)).as(server.stderr().toString()).isZero();
    }
  }

  @Test
  void udsServerFindsNettysLibraryInLibNativeWithoutWritingACopy(@TempDir Path scratch)
      throws IOException {
    NativeLibrariesIT.assertServesOnEpoll(home, "bin/socklab", scratch);
  }

  @Test
  void helpListsTheCommandsOfTheReleaseAndProjectCommandsAreRefused() {
    Proc.Result help = Proc.run(RUN, new byte[0], Launch.command(home, "bin/socklab", "--help"));
    assertThat(help.exit()).as(help.stderr()).isZero();
    LauncherTable table = LauncherTable.read(home.resolve("bin/socklab"));
    for (LauncherTable.Row row : table.rows()) {
      if (row.kind().equals("project")) {
        assertThat(help.out()).doesNotContain("  " + row.name() + " ");
      } else {
        assertThat(help.out()).contains("  " + row.name() + " ", row.summary());
      }
    }
    assertThat(help.out()).startsWith("Usage: socklab COMMAND");

    Proc.Result test = Proc.run(RUN, new byte[0], Launch.command(home, "bin/socklab", "test"));
    assertThat(test.exit()).isEqualTo(2);
    assertThat(test.stderr()).contains("'test' needs the source tree");
  }

  @Test
  void completionAndManComeFromShare() {
    Proc.Result completion =
        Proc.run(RUN, new byte[0], Launch.command(home, "bin/socklab", "completion", "zsh"));
    assertThat(completion.exit()).as(completion.stderr()).isZero();
    assertThat(completion.out()).contains("bashcompinit", "echo-server");

    Tools.skipOrFail(Tools.onPath("man"), "man is not installed (apt-get install man-db)");
    Proc.Result where =
        Proc.run(
            RUN,
            new byte[0],
            List.of(
                "env",
                "MANPATH=" + home.resolve("share/man"),
                "man",
                "-w",
                "socklab-udp-client-send"));
    assertThat(where.exit()).as(where.stderr()).isZero();
    assertThat(where.out().strip())
        .isEqualTo(home.resolve("share/man/man1/socklab-udp-client-send.1").toString());

    Proc.Result man =
        Proc.run(RUN, new byte[0], Launch.command(home, "bin/socklab", "man", "echo-server"));
    assertThat(man.exit()).as(man.stderr()).isZero();
    assertThat(man.out()).contains("SOCKLAB-ECHO-SERVER(1)", "--max-clients");
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
