package dev.socklab.chat;

import static dev.socklab.common.testing.CommandRun.assertUsageError;

import org.junit.jupiter.api.Test;

/** Usage errors of {@code socklab chat-server}: one line naming the command, exit 2. */
class UsageErrorsTest {
  private static final String NAME = "socklab chat-server";

  @Test
  void portOutOfRange() {
    assertUsageError(
        new ChatServerCommand(),
        NAME,
        "--port must be 0-65535 (0 = any free port), not -1",
        "--port",
        "-1");
  }

  @Test
  void lineLimitOutOfRange() {
    assertUsageError(
        new ChatServerCommand(),
        NAME,
        "max line must be 16-1048576 bytes, not 5",
        "--max-line",
        "5");
  }

  @Test
  void totalOutputBudgetOutOfRange() {
    assertUsageError(
        new ChatServerCommand(),
        NAME,
        "max pending total must be 1024 bytes or more, not 1000",
        "--max-pending-total",
        "1000");
  }

  @Test
  void unknownTransportSaysWhatIsAccepted() {
    assertUsageError(
        new ChatServerCommand(),
        NAME,
        "Invalid value for option '--transport': 'bogus' is not a transport: use auto, epoll,"
            + " io_uring or nio",
        "--transport",
        "bogus");
  }
}
