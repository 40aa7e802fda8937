package dev.socklab.dist;

import static org.assertj.core.api.Assertions.fail;

import dev.socklab.common.testing.RunningProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a {@code socklab} launcher as a user would: from its directory, with this test's JDK. */
final class Launch {
  private Launch() {}

  /**
   * The command line: {@code env --chdir=DIR JAVA_HOME=THIS-JDK LAUNCHER ARGS}. Maven's own
   * variables are dropped so that a nested {@code ./mvnw} finds its project afresh, and the release
   * keeps its class-data archives in {@code DIR/.cache}, not in the user's cache.
   *
   * @param dir the working directory, e.g. the clone or the unpacked release
   * @param launcher the script, relative to {@code dir}: {@code ./socklab} or {@code bin/socklab}
   * @param args its arguments
   * @return the command line
   */
  static List<String> command(Path dir, String launcher, String... args) {
    return command(dir, launcher, List.of(), args);
  }

  /**
   * As {@link #command(Path, String, String...)}, with more of the environment set.
   *
   * @param dir the working directory
   * @param launcher the script, relative to {@code dir}
   * @param env {@code NAME=VALUE} settings, after (so over) the usual ones
   * @param args its arguments
   * @return the command line
   */
  static List<String> command(Path dir, String launcher, List<String> env, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "env",
                "--chdir=" + dir,
                "-u",
                "MAVEN_PROJECTBASEDIR",
                "-u",
                "SOCKLAB_JAVA_OPTS",
                "-u",
                "SOCKLAB_CDS",
                "-u",
                "CACHE_DIRECTORY",
                "JAVA_HOME=" + System.getProperty("java.home"),
                "XDG_CACHE_HOME=" + dir.toAbsolutePath().resolve(".cache")));
    command.addAll(env);
    command.add(launcher);
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Starts the launcher.
   *
   * @param dir the working directory
   * @param launcher the script, relative to {@code dir}
   * @param args its arguments
   * @return the running launcher (it execs java, so it is the command's own process)
   */
  static RunningProcess start(Path dir, String launcher, String... args) {
    return RunningProcess.startCommand(command(dir, launcher, args));
  }

  /**
   * Waits for a process that may have started a build; past the limit it is killed with every
   * process it started (Maven too, which would otherwise go on building), and the test fails.
   *
   * @param p the process
   * @param limit the longest wait
   * @return its exit code
   */
  static int awaitOrKill(RunningProcess p, Duration limit) {
    try {
      if (!p.process().waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.process().descendants().forEach(ProcessHandle::destroyForcibly);
        p.close();
        fail("did not finish within " + limit + "; stderr so far: " + p.stderr());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return p.waitFor(Duration.ofSeconds(10));
  }
}
