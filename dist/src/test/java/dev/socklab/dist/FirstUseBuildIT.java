package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first run on a fresh clone: a server in one terminal and a client in another, both
 * started before anything is built. They must build once: the second waits for the first's build
 * (flock), then finds nothing left to build. And a first build cut off midway (Ctrl-C): the next
 * command builds every module afresh instead of keeping what it half wrote. These are the suite's
 * two nested Maven builds (15-30 s each, with ~/.m2 already filled by the outer build).
 */
class FirstUseBuildIT {
  private static final Duration BUILD = Duration.ofMinutes(10);

  @Test
  void twoCommandsStartedAtOnceOnAFreshCloneBuildOnceAndBothRun(@TempDir Path tmp)
      throws IOException {
    Tools.skipOrFail(Tools.onPath("flock"), "flock is not installed (apt-get install util-linux)");
    Tools.skipOrFail(Tools.onPath("git"), "git is not installed (apt-get install git)");
    Path clone = tmp.resolve("socklab");
    copyWorkingTree(LauncherTable.root(), clone);
    assertThat(clone.resolve("target")).doesNotExist();
    assertThat(clone.resolve("echo-server/target")).doesNotExist();

    List<RunningProcess> both = new ArrayList<>();
    try {
      both.add(Launch.start(clone, "./socklab", "echo-server", "--version"));
      both.add(Launch.start(clone, "./socklab", "echo-client", "--version"));
      for (RunningProcess p : both) {
        assertThat(Launch.awaitOrKill(p, BUILD)).as(p.stderr().toString()).isZero();
        assertThat(p.stdout()).as(p.stderr().toString()).anyMatch(l -> l.startsWith("socklab "));
      }
    } finally {
      both.forEach(RunningProcess::close);
    }

    List<String> building =
        both.stream()
            .flatMap(p -> p.stderr().stream())
            .filter(l -> l.contains("building socklab"))
            .toList();
    assertThat(building).as("one build for both commands").hasSize(1);
    RunningProcess waiter =
        both.stream()
            .filter(p -> p.stderr().stream().noneMatch(l -> l.contains("building socklab")))
            .findFirst()
            .orElseThrow();
    assertThat(waiter.stderr()).contains("socklab: waiting for another build to finish ...");
    assertThat(clone.resolve("clients/target/clients.jar")).isRegularFile();
    assertThat(clone.resolve("dist/target/share/man/man1/socklab-echo-server.1")).isRegularFile();
    // The first-use build leaves the release tarball to ./socklab dist.
    try (var files = Files.list(clone.resolve("dist/target"))) {
      assertThat(files).noneMatch(f -> f.getFileName().toString().endsWith(".tar.gz"));
    }
  }

  @Test
  void aBuildCutOffIsFollowedByOneFromScratch(@TempDir Path tmp) throws IOException {
    Tools.skipOrFail(Tools.onPath("git"), "git is not installed (apt-get install git)");
    Path clone = tmp.resolve("socklab");
    copyWorkingTree(LauncherTable.root(), clone);

    // A build killed midway, as Ctrl-C or a closed terminal would: the launcher, Maven and all.
    RunningProcess first = Launch.start(clone, "./socklab", "build");
    try {
      Path compiled = clone.resolve("common/target/classes/dev/socklab/common");
      await()
          .atMost(BUILD)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> Files.isDirectory(compiled) || !first.process().isAlive());
      assertThat(first.process().isAlive()).as(first.stderr().toString()).isTrue();
    } finally {
      List<ProcessHandle> all = new ArrayList<>(first.process().descendants().toList());
      all.add(first.process().toHandle());
      all.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle h : all) {
        h.onExit().join();
      }
      first.close();
    }
    assertThat(clone.resolve("target/socklab-build.unfinished")).exists();
    // The worst such a build leaves: a jar cut off mid-write, newer than the classes it holds,
    // which Maven would keep as it is.
    Path jar = clone.resolve("echo-server/target/echo-server.jar");
    Files.createDirectories(jar.getParent());
    Files.write(jar, new byte[0]);

    RunningProcess next = Launch.start(clone, "./socklab", "echo-server", "--version");
    try {
      assertThat(Launch.awaitOrKill(next, BUILD)).as(next.stderr().toString()).isZero();
      assertThat(next.stdout())
          .as(next.stderr().toString())
          .anyMatch(l -> l.startsWith("socklab "));
      assertThat(next.stderr())
          .contains("socklab: the last build did not finish: building every module afresh");
    } finally {
      next.close();
    }
    assertThat(Files.size(jar)).isPositive();
    assertThat(clone.resolve("target/socklab-build.unfinished")).doesNotExist();
  }

  /**
   * Copies what a fresh clone would hold, as it is in the working tree (uncommitted edits and new
   * files included, ignored files such as target/ not): git's tracked and untracked-not-ignored
   * files.
   */
  private static void copyWorkingTree(Path root, Path to) throws IOException {
    Proc.Result files =
        Proc.run(
            Duration.ofSeconds(30),
            new byte[0],
            List.of(
                "git",
                "-C",
                root.toString(),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard"));
    assertThat(files.exit()).as(root + " must be a git working tree: " + files.stderr()).isZero();
    for (String name : new String(files.stdout(), StandardCharsets.UTF_8).split("\0")) {
      Path from = root.resolve(name);
      if (name.isEmpty() || !Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
        continue; // deleted in the working tree, or not a plain file
      }
      Path target = to.resolve(name);
      Files.createDirectories(target.getParent());
      Files.copy(from, target, StandardCopyOption.COPY_ATTRIBUTES); // keeps ./socklab executable
    }
  }
}
