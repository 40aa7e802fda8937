package dev.socklab.netinfo;

import static dev.socklab.common.testing.CommandRun.assertUsageError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.CommandRun;
import org.junit.jupiter.api.Test;

/**
 * Usage errors of resolve and sockopt, run as {@code ./socklab} runs them (under {@link
 * NetinfoMain}): one line naming the full command, exit 2. None makes a look-up or a connection.
 */
class UsageErrorsTest {
  private static final String RESOLVE = "socklab resolve";
  private static final String SOCKOPT = "socklab sockopt";

  @Test
  void noCommandNamed() {
    assertUsageError(new NetinfoMain(), "socklab", "name a command: resolve or sockopt");
  }

  @Test
  void resolveAnIpv4AddressOutOfRange() {
    assertUsageError(
        new NetinfoMain(),
        RESOLVE,
        "'1.2.3.999' is not an IPv4 address: four numbers 0-255, e.g. 127.0.0.1",
        "resolve",
        "1.2.3.999");
  }

  @Test
  void resolveABadIpv6Address() {
    assertUsageError(
        new NetinfoMain(),
        RESOLVE,
        "'1:2:zz' is not an IPv6 address (RFC 4291: e.g. ::1, fe80::1)",
        "resolve",
        "1:2:zz");
  }

  @Test
  void resolveSomethingThatIsNoHostName() {
    assertUsageError(
        new NetinfoMain(),
        RESOLVE,
        "'foo bar' is not a host name: labels of letters, digits, '-' and '_' (1-63 each, 253 in"
            + " all) separated by dots (RFC 1123)",
        "resolve",
        "foo bar");
    assertUsageError(
        new NetinfoMain(),
        RESOLVE,
        "'a..b' is not a host name: labels of letters, digits, '-' and '_' (1-63 each, 253 in"
            + " all) separated by dots (RFC 1123)",
        "resolve",
        "a..b");
  }

  @Test
  void resolveWithBothFamiliesExcluded() {
    assertUsageError(
        new NetinfoMain(),
        RESOLVE,
        "-4 and -6 exclude each other; give neither for both families",
        "resolve",
        "localhost",
        "-4",
        "-6");
  }

  @Test
  void resolveAnIpv6AddressAsIpv4Only() {
    assertUsageError(
        new NetinfoMain(),
        RESOLVE,
        "::1 is an IPv6 address, and -4 asks for IPv4 only",
        "resolve",
        "::1",
        "-4");
  }

  @Test
  void sockoptUnknownOptionListsTheKnownOnes() {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "sockopt", "--set", "SO_FOO=1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines().findFirst().orElseThrow())
        .startsWith(SOCKOPT + ": no socket option 'SO_FOO'; --set knows SO_RCVBUF, SO_SNDBUF, ")
        .contains("TCP_NODELAY", "SO_BROADCAST", "TCP_KEEPIDLE");
    assertThat(r.err()).contains("Try '" + SOCKOPT + " --help'");
  }

  @Test
  void sockoptOptionOfAnotherKindOfSocket() {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "sockopt", "--set", "SO_BROADCAST=1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(SOCKOPT + ": SO_BROADCAST is not an option of a tcp socket; it has SO_RCVBUF,")
        .doesNotContain("Exception");
  }

  @Test
  void sockoptReadOnlyOption() {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "sockopt", "--set", "SO_TYPE=1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(SOCKOPT + ": SO_TYPE can only be read (and Java cannot read it either)");
  }

  @Test
  void sockoptSetWithoutAValue() {
    assertUsageError(
        new NetinfoMain(),
        SOCKOPT,
        "--set takes NAME=VALUE, e.g. SO_RCVBUF=65536, not 'SO_RCVBUF'",
        "sockopt",
        "--set",
        "SO_RCVBUF");
  }

  @Test
  void sockoptBadValues() {
    assertUsageError(
        new NetinfoMain(),
        SOCKOPT,
        "TCP_NODELAY is 0 or 1 (off or on), not 'maybe'",
        "sockopt",
        "--set",
        "TCP_NODELAY=maybe");
    assertUsageError(
        new NetinfoMain(),
        SOCKOPT,
        "TCP_KEEPIDLE must be 1-32767, not '0'",
        "sockopt",
        "--set",
        "TCP_KEEPIDLE=0");
    assertUsageError(
        new NetinfoMain(),
        SOCKOPT,
        "SO_RCVBUF must be 0 or more, not '-5'",
        "sockopt",
        "--set",
        "SO_RCVBUF=-5");
    assertUsageError(
        new NetinfoMain(),
        SOCKOPT,
        "SO_LINGER must be off or 0-65535 seconds, not 'soon'",
        "sockopt",
        "--set",
        "SO_LINGER=soon");
  }

  @Test
  void sockoptConnectedWithoutAPort() {
    assertUsageError(
        new NetinfoMain(),
        SOCKOPT,
        "--connected takes HOST:PORT for a tcp socket, e.g. 127.0.0.1:7007 (bad port 0 in"
            + " 'localhost': use a number 1-65535)",
        "sockopt",
        "--connected",
        "localhost");
  }

  @Test
  void sockoptUnknownKind() {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "sockopt", "sctp");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith(SOCKOPT + ": Invalid value for positional parameter");
  }
}
