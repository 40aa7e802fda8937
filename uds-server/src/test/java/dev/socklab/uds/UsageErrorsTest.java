package dev.socklab.uds;

import static dev.socklab.common.testing.CommandRun.assertUsageError;

import org.junit.jupiter.api.Test;

/** Usage errors of {@code socklab uds-server}: one line naming the command, exit 2. */
class UsageErrorsTest {
  private static final String NAME = "socklab uds-server";

  @Test
  void modeThatIsNotOctalPermissionBits() {
    assertUsageError(
        new UdsServerCommand(),
        NAME,
        "--mode must be octal permission bits such as 600 or 660, not '999'",
        "--mode",
        "999");
  }

  @Test
  void abstractNameWithAPath() {
    assertUsageError(
        new UdsServerCommand(),
        NAME,
        "--abstract names a socket without a file: it cannot be combined with --path",
        "--abstract",
        "x",
        "--path",
        "/tmp/x.sock");
  }
}
