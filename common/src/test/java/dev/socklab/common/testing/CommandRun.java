package dev.socklab.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs a command in this JVM as {@code ./socklab} would (socklab's error handling installed), with
 * its picocli output captured: for tests of usage errors and their wording.
 */
public final class CommandRun {
  private CommandRun() {}

  /**
   * What a command printed and returned.
   *
   * @param exit the exit code
   * @param out what it wrote to picocli's standard output
   * @param err what it wrote to picocli's standard error
   */
  public record Result(int exit, String out, String err) {}

  /**
   * @param command a picocli {@code @Command} object
   * @param args its arguments
   * @return exit code and captured output
   */
  public static Result run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Cli.commandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  /**
   * Asserts a usage error as every socklab command reports one: exit 2, a first line that names the
   * full command and says what is wrong, a pointer to {@code --help}, no exception class names.
   *
   * @param command a picocli {@code @Command} object
   * @param name the full command name, e.g. {@code "socklab udp-client send"}
   * @param firstLine what the first line says after {@code "NAME: "}
   * @param args the bad arguments
   */
  public static void assertUsageError(
      Object command, String name, String firstLine, String... args) {
    Result r = run(command, args);
    assertThat(r.exit()).as(r.err()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(r.err().lines().findFirst()).hasValue(name + ": " + firstLine);
    assertThat(r.err())
        .contains("Try '" + name + " --help'")
        .doesNotContain("Exception")
        .doesNotContain("java.");
  }
}
