package dev.socklab.check;

import static dev.socklab.common.testing.CommandRun.assertUsageError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.CommandRun;
import org.junit.jupiter.api.Test;

/** Usage errors of {@code socklab check}: one line naming the command, exit 2. */
class UsageErrorsTest {
  private static final String NAME = "socklab check";

  @Test
  void noServerNamed() {
    assertUsageError(
        new CheckCommand(),
        NAME,
        "name the server once: [HOST:]PORT, --unix PATH, --abstract NAME or --exec CMD",
        "echo");
  }

  @Test
  void aHostWithoutAPortIsNotGuessed() {
    assertUsageError(
        new CheckCommand(),
        NAME,
        "'localhost' has no port: give HOST:PORT or PORT",
        "echo",
        "localhost");
  }

  @Test
  void unknownCaseListsTheKnownOnes() {
    CommandRun.Result r = CommandRun.run(new CheckCommand(), "echo", "x:1", "--only", "nope");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("socklab check: no echo case 'nope'; there are: ")
        .contains("basic");
  }

  @Test
  void unknownFormat() {
    assertUsageError(
        new CheckCommand(),
        NAME,
        "--format must be text, json, junit or tap, not 'xml'",
        "echo",
        "x:1",
        "--format",
        "xml");
  }

  @Test
  void execWithoutAPlaceholder() {
    assertUsageError(
        new CheckCommand(),
        NAME,
        "--exec needs exactly one of {port} or {path} in the command, e.g. --exec './my_server"
            + " {port}'",
        "echo",
        "--exec",
        "./my_server");
  }

  @Test
  void udpOverAUnixSocket() {
    assertUsageError(
        new CheckCommand(),
        NAME,
        "udp checks a UDP server: give [HOST:]PORT or --exec CMD",
        "udp",
        "--unix",
        "/tmp/x.sock");
  }

  @Test
  void listNeedsNoServer() {
    CommandRun.Result r = CommandRun.run(new CheckCommand(), "echo", "--list");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("basic ");
  }
}
