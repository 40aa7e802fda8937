package dev.socklab.client;

import static dev.socklab.common.testing.CommandRun.assertUsageError;

import org.junit.jupiter.api.Test;

/**
 * Usage errors of the clients, run as {@code ./socklab} runs them (under {@link ClientMain}): one
 * line naming the full command, exit 2.
 */
class UsageErrorsTest {
  @Test
  void echoClientTargetWithABadPort() {
    assertUsageError(
        new ClientMain(),
        "socklab echo-client",
        "bad port 99999 in 'localhost:99999': use a number 1-65535",
        "echo-client",
        "localhost:99999");
  }

  @Test
  void echoClientSizeOutOfRange() {
    assertUsageError(
        new ClientMain(),
        "socklab echo-client",
        "--size must be 1-16777216 bytes, not 0",
        "echo-client",
        "--count",
        "1",
        "--size",
        "0");
  }

  @Test
  void udsClientCountOutOfRange() {
    assertUsageError(
        new ClientMain(),
        "socklab uds-client",
        "--count must be 0 (interactive) or more, not -1",
        "uds-client",
        "--count",
        "-1");
  }

  @Test
  void chatClientTargetThatIsNotAnAddress() {
    assertUsageError(
        new ClientMain(),
        "socklab chat-client",
        "bad port 'x' in 'localhost:x': use a number 1-65535",
        "chat-client",
        "localhost:x");
  }

  @Test
  void noClientNamed() {
    assertUsageError(new ClientMain(), "socklab", "name a client, e.g. echo-client");
  }
}
