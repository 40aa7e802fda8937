package dev.socklab.udp;

import static dev.socklab.common.testing.CommandRun.assertUsageError;

import org.junit.jupiter.api.Test;

/** Usage errors of {@code socklab udp-broadcast}: one line naming the command, exit 2. */
class UsageErrorsTest {
  private static final String NAME = "socklab udp-broadcast";

  @Test
  void portOutOfRange() {
    assertUsageError(
        new UdpServerCommand(),
        NAME,
        "--port must be 0-65535 (0 = any free port), not 70000",
        "--port",
        "70000");
  }

  @Test
  void beaconIntervalThatIsNotADuration() {
    assertUsageError(
        new UdpServerCommand(),
        NAME,
        "Invalid value for option '--beacon': 'soon' is not a duration: use e.g. 500ms, 2s, 1.5s,"
            + " 5m or a number of seconds",
        "--beacon",
        "soon");
  }

  @Test
  void broadcastAddressWithABadPort() {
    assertUsageError(
        new UdpServerCommand(),
        NAME,
        "bad port 0 in '127.255.255.255:0': use a number 1-65535",
        "--beacon",
        "--broadcast",
        "127.255.255.255:0");
  }
}
