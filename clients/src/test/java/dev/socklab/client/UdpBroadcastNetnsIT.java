package dev.socklab.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real broadcast domain: two network namespaces made by this test, joined by a veth pair, with
 * private 10.201.N.0/24 addresses that exist only inside them. A beacon sent to the subnet
 * broadcast address in one namespace reaches a listener in the other, and discover from one finds
 * the server in the other. Needs root and ip(8); the namespaces are deleted afterwards.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UdpBroadcastNetnsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final long id = ProcessHandle.current().pid() % 250;
  private final String nsA = "slab" + id + "a";
  private final String nsB = "slab" + id + "b";
  private final String subnet = "10.201." + id;
  private final List<RunningProcess> running = new ArrayList<>();

  private static void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Proc.Result r = Proc.run(Duration.ofSeconds(10), new byte[0], cmd);
    assertThat(r.exit()).as(String.join(" ", cmd) + ": " + r.stderr()).isZero();
  }

  @BeforeEach
  void createNamespaces() {
    boolean root = "root".equals(System.getProperty("user.name"));
    Tools.skipOrFail(
        root && Tools.onPath("ip"), "needs root and ip (iproute2) to create network namespaces");
    deleteNamespaces(); // left over from an interrupted run
    ip("netns", "add", nsA);
    ip("netns", "add", nsB);
    ip("link", "add", nsA + "v", "type", "veth", "peer", "name", nsB + "v");
    ip("link", "set", nsA + "v", "netns", nsA);
    ip("link", "set", nsB + "v", "netns", nsB);
    ip("-n", nsA, "addr", "add", subnet + ".1/24", "brd", "+", "dev", nsA + "v");
    ip("-n", nsB, "addr", "add", subnet + ".2/24", "brd", "+", "dev", nsB + "v");
    for (String ns : List.of(nsA, nsB)) {
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "set", ns + "v", "up");
    }
  }

  @AfterEach
  void deleteNamespaces() {
    running.forEach(RunningProcess::close);
    for (String ns : List.of(nsA, nsB)) {
      Proc.run(
          Duration.ofSeconds(10),
          new byte[0],
          List.of("ip", "netns", "del", ns)); // veth goes with it
    }
  }

  private RunningProcess inNamespace(String ns, List<String> command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(command);
    RunningProcess p = RunningProcess.startCommand(cmd);
    running.add(p);
    return p;
  }

  private static List<String> udpServer(String... args) {
    List<String> cmd = new ArrayList<>(RunningProcess.command(args));
    cmd.set(cmd.indexOf("-jar") + 1, System.getProperty("socklab.udp.jar"));
    return cmd;
  }

  @Test
  void beaconAndDiscoveryCrossTheBroadcastDomain() {
    inNamespace(
            nsA,
            udpServer("--port", "17007", "--beacon", "200ms", "--broadcast", subnet + ".255:17008"))
        .awaitListeningPort(WAIT);
    RunningProcess listener =
        inNamespace(
            nsB,
            RunningProcess.command(
                "udp-client", "listen", "--port", "17008", "--count", "1", "--wait", "10s"));
    assertThat(listener.waitFor(WAIT)).as(String.join("\n", listener.stderr())).isZero();
    assertThat(listener.stdout())
        .anySatisfy(l -> assertThat(l).startsWith(subnet + ".1:17007 BEACON"));

    RunningProcess discover =
        inNamespace(
            nsB,
            RunningProcess.command(
                "udp-client", "discover", "--broadcast", subnet + ".255:17007", "--wait", "1s"));
    assertThat(discover.waitFor(WAIT)).as(String.join("\n", discover.stderr())).isZero();
    assertThat(discover.stdout())
        .anySatisfy(l -> assertThat(l).startsWith(subnet + ".1:17007 ANNOUNCE"));
  }
}
