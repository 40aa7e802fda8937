package dev.socklab.echo;

import static dev.socklab.common.testing.CommandRun.assertUsageError;

import org.junit.jupiter.api.Test;

/** Every usage error of {@code socklab echo-server}: one line naming the command, exit 2. */
class UsageErrorsTest {
  private static final String NAME = "socklab echo-server";

  @Test
  void portOutOfRange() {
    assertUsageError(
        new EchoServerCommand(),
        NAME,
        "--port must be 0-65535 (0 = any free port), not 99999",
        "--port",
        "99999");
  }

  @Test
  void unknownThreadModelSaysWhatIsAccepted() {
    assertUsageError(
        new EchoServerCommand(),
        NAME,
        "Invalid value for option '--threads': 'bogus' is not a thread model: use virtual,"
            + " platform or pool=N (N = 1-100000)",
        "--threads",
        "bogus");
  }

  @Test
  void backlogOutOfRange() {
    assertUsageError(
        new EchoServerCommand(), NAME, "backlog must be 1-65535, not 0", "--backlog", "0");
  }

  @Test
  void unknownOption() {
    assertUsageError(new EchoServerCommand(), NAME, "Unknown option: '--colour'", "--colour");
  }
}
