package dev.socklab.netinfo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.CommandRun;
import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.Tools;
import dev.socklab.common.testing.TraceRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code socklab resolve} in this JVM, against the real system resolver, with names that need no
 * network: localhost and numeric addresses. glibc's {@code getent} is the independent witness of
 * what the resolver answers. (Names of our own, and a nonexistent one, are in {@link ResolveIT}.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResolveTest {
  private static final Duration GETENT = Duration.ofSeconds(20);

  @Test
  void localhostHasTheAddressesGetentFindsEachWithItsFamily() {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "resolve", "localhost");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> rows = addressRows(r.out());
    assertThat(rows).anyMatch(l -> l.matches("AF_INET +127\\.0\\.0\\.1 +name: .+"));
    for (String row : rows) {
      String[] f = row.split(" +");
      assertThat(f[0]).as(row).isEqualTo(f[1].contains(":") ? "AF_INET6" : "AF_INET");
    }
    assertThat(r.out().lines().findFirst()).hasValue("localhost: " + count(rows.size()));
    assertThat(r.out()).containsPattern("(?m)^canonical name: \\S+$");
    requireGetent();
    assertThat(addresses(rows)).isEqualTo(getentAddresses("ahosts", "localhost"));
  }

  @Test
  void minusFourKeepsOnlyIpv4Addresses() {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "resolve", "localhost", "-4");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(addressRows(r.out())).isNotEmpty().allMatch(l -> l.startsWith("AF_INET "));
  }

  @Test
  void minusSixKeepsOnlyIpv6AddressesOrSaysThereAreNone() {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "resolve", "localhost", "-6");
    if (r.exit() == 0) {
      assertThat(addressRows(r.out())).isNotEmpty().allMatch(l -> l.startsWith("AF_INET6 "));
    } else {
      // /etc/hosts without "::1 localhost": getaddrinfo gave IPv4 only, so -6 leaves nothing.
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .startsWith("socklab resolve: localhost has no IPv6 address; getaddrinfo returned only ")
          .contains("127.0.0.1");
    }
  }

  @Test
  void anIpv4AddressHasTheNameGetentGivesIt() {
    assertReverseAsGetent("127.0.0.1", "AF_INET");
  }

  @Test
  void anIpv6AddressHasTheNameGetentGivesIt() {
    assertReverseAsGetent("::1", "AF_INET6");
  }

  @Test
  void traceNamesEachResolverCallAsC() {
    try (TraceRecorder trace = new TraceRecorder()) {
      CommandRun.Result r = CommandRun.run(new NetinfoMain(), "resolve", "localhost", "--trace");
      assertThat(r.exit()).as(r.err()).isZero();
      List<String> rows = addressRows(r.out());
      List<String> expected = new ArrayList<>();
      expected.add(
          "getaddrinfo\\(\"localhost\", NULL, AF_(UNSPEC|INET)\\) -> "
              + count(rows.size())
              + ": .*127\\.0\\.0\\.1.*");
      for (String row : rows) {
        String address = row.split(" +")[1];
        String name = row.split(" +", 3)[2].replace("name: ", "");
        expected.add("getnameinfo(" + address + ", NI_NAMEREQD) -> \"" + name + "\"");
      }
      TraceRecorder.assertCalls(expected, trace.lines());
    }
    try (TraceRecorder trace = new TraceRecorder()) {
      CommandRun.Result r = CommandRun.run(new NetinfoMain(), "resolve", "127.0.0.1", "--trace");
      // A numeric address is parsed, not looked up: getnameinfo only.
      TraceRecorder.assertCalls(
          List.of("getnameinfo\\(127\\.0\\.0\\.1, NI_NAMEREQD\\) -> .+"), trace.lines());
      assertThat(r.exit()).isIn(0, 1);
    }
  }

  // gethostbyaddr: the name getent finds, or, when it finds none, the one line and exit 1.
  private static void assertReverseAsGetent(String address, String family) {
    requireGetent();
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), "resolve", address);
    List<String> getent = getentNames(address);
    if (getent.isEmpty()) {
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).startsWith("socklab resolve: no name for " + address + " (EAI_NONAME: ");
    } else {
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo(address + " (" + family + ") is " + getent.get(0) + "\n");
    }
  }

  // The "  AF_INET   127.0.0.1  name: localhost" lines, stripped.
  private static List<String> addressRows(String out) {
    return out.lines().filter(l -> l.startsWith("  AF_")).map(String::strip).toList();
  }

  private static Set<String> addresses(List<String> rows) {
    Set<String> s = new TreeSet<>();
    rows.forEach(r -> s.add(r.split(" +")[1]));
    return s;
  }

  private static String count(int n) {
    return n + (n == 1 ? " address" : " addresses");
  }

  private static void requireGetent() {
    Tools.skipOrFail(Tools.onPath("getent"), "getent is not installed (glibc's libc-bin)");
  }

  // getent ahosts NAME: one line per address and socket type; the first column is the address.
  private static Set<String> getentAddresses(String db, String key) {
    Set<String> s = new TreeSet<>();
    getent(db, key).forEach(l -> s.add(l.split("\\s+")[0]));
    return s;
  }

  // getent hosts ADDRESS: "ADDRESS NAME ALIAS...", or nothing when it has no name.
  private static List<String> getentNames(String address) {
    return getent("hosts", address).stream()
        .flatMap(l -> Arrays.stream(l.split("\\s+")).skip(1))
        .toList();
  }

  private static List<String> getent(String db, String key) {
    return Proc.run(GETENT, new byte[0], List.of("getent", db, key)).out().lines().toList();
  }
}
