package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.Cli;
import dev.socklab.common.testing.CommandRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench start}: real processes, started, read to their ready line, measured and stopped. The
 * server is echo-server in a JVM of its own (this test's class path, as ./socklab would run it but
 * without the launcher); the others are sh(1) scripts that are ready, or never are. No timing is
 * asserted: only that each target gets its line of numbers or its reason, and that nothing it
 * started outlives the run.
 */
class StartIT {
  @TempDir Path tmp;

  @AfterEach
  void nothingItStartedIsStillRunning() {
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void aServerIsTimedToItsBannerAndStoppedEachRun() {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String echo =
        java
            + " -cp "
            + System.getProperty("java.class.path")
            + " dev.socklab.echo.EchoServerCommand --port 0 --bind 127.0.0.1";

    CommandRun.Result r =
        CommandRun.run(new BenchCommand(), "start", "echo=" + echo, "--runs", "2");

    assertThat(r.exit()).as(r.err() + r.out()).isEqualTo(Cli.EXIT_OK);
    assertThat(r.out())
        .contains("2 runs of each, interleaved, after 1 not counted")
        .containsPattern("(?m)^  echo +[0-9.]+ ms +1\\.00 +[0-9.]+ ms .* [0-9.]+ MiB$");
  }

  @Test
  void leadingAssignmentsAreTheEnvironmentAndAServerNeverReadyFailsAtTheTimeout()
      throws IOException {
    Path script =
        Files.writeString(
            tmp.resolve("server.sh"),
            "[ \"$MODE\" = ready ] && echo 'listening on nothing'\nexec sleep 60\n");

    CommandRun.Result r =
        CommandRun.run(
            new BenchCommand(),
            "start",
            "ready=MODE=ready sh " + script,
            "stuck=sh " + script,
            "--runs",
            "2",
            "--timeout",
            "2s");

    assertThat(r.exit()).as(r.out()).isEqualTo(Cli.EXIT_FAILURE);
    assertThat(r.out())
        .containsPattern("(?m)^  ready +[0-9.]+ ms +1\\.00 ")
        .contains("  stuck: FAILED: no line with 'listening' within 2 s");
  }

  @Test
  void aCommandThatCannotBeStartedSaysWhyOnce() {
    CommandRun.Result r =
        CommandRun.run(new BenchCommand(), "start", "gone=" + tmp.resolve("no-such-server"));

    assertThat(r.exit()).isEqualTo(Cli.EXIT_FAILURE);
    assertThat(r.out())
        .containsPattern(
            "(?m)^  gone: FAILED: cannot start "
                + Pattern.quote(tmp.resolve("no-such-server").toString())
                + ": [^\"]*No such file or directory\\)?$");
  }

  @Test
  void aServerThatExitsFirstFailsWithItsStatusAndLastLine() throws IOException {
    Path script =
        Files.writeString(tmp.resolve("bad.sh"), "echo 'starting'\necho 'bad config'\nexit 3\n");

    CommandRun.Result r = CommandRun.run(new BenchCommand(), "start", "bad=sh " + script);

    assertThat(r.exit()).isEqualTo(Cli.EXIT_FAILURE);
    assertThat(r.out())
        .contains(
            "  bad: FAILED: exited (status 3) before a line with 'listening'; its last line: bad"
                + " config");
  }
}
