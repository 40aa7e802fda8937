package dev.socklab.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.CommandRun;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code socklab check} in this JVM and reads its report; compiles the C fixtures (broken
 * servers) with gcc.
 */
final class Checks {
  private Checks() {}

  /**
   * What a check run printed.
   *
   * @param exit the exit code
   * @param out the report's lines
   * @param err stderr
   * @param status case name to PASS, FAIL, SKIP or WARN, in report order
   */
  record Run(int exit, String out, String err, Map<String, String> status) {
    /**
     * @param name a case
     * @return its line in the report
     */
    String line(String name) {
      return out.lines()
          .filter(l -> l.matches("[A-Z]{4} " + name + "\\b.*"))
          .findFirst()
          .orElse("");
    }

    /**
     * @return the cases that failed
     */
    List<String> failed() {
      return status.entrySet().stream()
          .filter(e -> e.getValue().equals("FAIL"))
          .map(Map.Entry::getKey)
          .toList();
    }
  }

  /**
   * @param args {@code socklab check}'s arguments
   * @return what it printed, parsed
   */
  static Run check(String... args) {
    CommandRun.Result r = CommandRun.run(new CheckCommand(), args);
    Map<String, String> status = new LinkedHashMap<>();
    r.out()
        .lines()
        .filter(l -> l.matches("(PASS|FAIL|SKIP|WARN) \\S+.*"))
        .forEach(l -> status.put(l.split(" ")[1].replaceAll(":$", ""), l.substring(0, 4)));
    return new Run(r.exit(), r.out(), r.err(), status);
  }

  /**
   * Asserts that every case ran and none failed.
   *
   * @param run a check run
   */
  static void assertAllPass(Run run) {
    assertThat(run.failed()).as(run.out()).isEmpty();
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
  }

  /**
   * Compiles {@code check/src/test/c/NAME.c} (once per test run) into {@code target/fixtures/}.
   *
   * @param name the fixture's name
   * @return the executable
   */
  static Path fixture(String name) throws IOException, InterruptedException {
    Tools.skipOrFail(
        Tools.onPath("gcc"),
        "gcc is not installed (apt-get install gcc): the broken servers are C");
    Path out = Path.of("target", "fixtures", name);
    Path src = Path.of("src", "test", "c", name + ".c");
    if (Files.exists(out)
        && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) > 0) {
      return out.toAbsolutePath();
    }
    Files.createDirectories(out.getParent());
    Process gcc =
        new ProcessBuilder(
                "gcc", "-O2", "-Wall", "-Werror", "-pthread", "-o", out.toString(), src.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(gcc.getInputStream().readAllBytes());
    assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(gcc.exitValue()).as("gcc %s: %s", src, log).isZero();
    return out.toAbsolutePath();
  }

  /** The wait a fixture is given to start listening. */
  static final Duration START = Duration.ofSeconds(10);
}
