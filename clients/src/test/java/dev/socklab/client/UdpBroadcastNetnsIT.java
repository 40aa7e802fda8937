package dev.socklab.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.security.auth.module.UnixSystem;
import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.nio.file.Path;
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
 * the server in the other. The namespaces are deleted afterwards.
 *
 * <p>Needs ip(8) and root: run as root, or as a user with passwordless sudo ({@code sudo -n true}
 * succeeds), in which case every {@code ip} command, and the JVMs started inside the namespaces,
 * run through {@code sudo -n}. Those JVMs then run as root, so they are started by the absolute
 * path of this JVM's {@code java} (sudo resets PATH) and stopped by namespace ({@code ip netns
 * pids}): killing a {@code sudo} with SIGKILL would leave its child running, and a non-root test
 * cannot kill a root process itself.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UdpBroadcastNetnsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
  private final long id = ProcessHandle.current().pid() % 250;
  private final String nsA = "slab" + id + "a";
  private final String nsB = "slab" + id + "b";
  private final String subnet = "10.201." + id;
  private final List<RunningProcess> running = new ArrayList<>();
  private List<String> asRoot; // prefix that runs a command as root: empty, or sudo -n

  /** Runs {@code command} as root; returns its result, whatever its exit code. */
  private Proc.Result root(String... command) {
    List<String> cmd = new ArrayList<>(asRoot);
    cmd.addAll(List.of(command));
    return Proc.run(IP_TIMEOUT, new byte[0], cmd);
  }

  private void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Proc.Result r = root(cmd.toArray(String[]::new));
    assertThat(r.exit()).as(String.join(" ", asRoot) + " " + cmd + ": " + r.stderr()).isZero();
  }

  /**
   * How this test gets root: an empty prefix when it is root (by uid, not by name), {@code sudo -n}
   * when sudo runs ip without asking for a password, null when neither works.
   */
  private static List<String> rootPrefix() {
    if (new UnixSystem().getUid() == 0) {
      return Tools.onPath("ip") ? List.of() : null;
    }
    List<String> sudo = List.of("sudo", "-n"); // -n: fail at once rather than ask for a password
    if (!Tools.onPath("sudo")) {
      return null;
    }
    List<String> probe = new ArrayList<>(sudo);
    probe.addAll(List.of("ip", "-V")); // sudo's secure_path finds ip in /usr/sbin too
    return Proc.run(IP_TIMEOUT, new byte[0], probe).exit() == 0 ? sudo : null;
  }

  @BeforeEach
  void createNamespaces() {
    asRoot = rootPrefix();
    Tools.skipOrFail(
        asRoot != null,
        "needs root or passwordless sudo, and ip (iproute2), to create network namespaces");
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
    if (asRoot == null) {
      return; // skipped: nothing was made
    }
    for (String ns : List.of(nsA, nsB)) {
      killEverythingIn(ns);
    }
    running.forEach(RunningProcess::close); // the sudo processes, or the JVMs when root
    for (String ns : List.of(nsA, nsB)) {
      root("ip", "netns", "del", ns); // the veth goes with it; fails harmlessly if none
    }
  }

  /** SIGKILL to every process in namespace {@code ns} ({@code ip netns pids}), as root. */
  private void killEverythingIn(String ns) {
    List<String> pids =
        root("ip", "netns", "pids", ns).out().lines().filter(l -> l.matches("\\d+")).toList();
    if (asRoot.isEmpty()) { // root: kill(2) from here, no kill(1) needed
      pids.forEach(
          p -> ProcessHandle.of(Long.parseLong(p)).ifPresent(ProcessHandle::destroyForcibly));
    } else if (!pids.isEmpty()) {
      List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
      kill.addAll(pids);
      root(kill.toArray(String[]::new));
    }
  }

  /**
   * Starts {@code command} inside namespace {@code ns}, as root. Its first element must be an
   * absolute path: sudo resets PATH, where {@code java} may be another JDK or none.
   */
  private RunningProcess inNamespace(String ns, List<String> command) {
    List<String> cmd = new ArrayList<>(asRoot);
    cmd.addAll(List.of("ip", "netns", "exec", ns));
    cmd.addAll(command);
    RunningProcess p = RunningProcess.startCommand(cmd);
    running.add(p);
    return p;
  }

  /** {@code java ... -jar clients.jar ARGS}, with this JVM's java by its absolute path. */
  private static List<String> client(String... args) {
    return withThisJava(RunningProcess.command(args));
  }

  private static List<String> withThisJava(List<String> command) {
    List<String> cmd = new ArrayList<>(command);
    cmd.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return cmd;
  }

  private static List<String> udpServer(String... args) {
    List<String> cmd = client(args);
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
            client("udp-client", "listen", "--port", "17008", "--count", "1", "--wait", "10s"));
    assertThat(listener.waitFor(WAIT)).as(String.join("\n", listener.stderr())).isZero();
    assertThat(listener.stdout())
        .anySatisfy(l -> assertThat(l).startsWith(subnet + ".1:17007 BEACON"));

    RunningProcess discover =
        inNamespace(
            nsB,
            client("udp-client", "discover", "--broadcast", subnet + ".255:17007", "--wait", "1s"));
    assertThat(discover.waitFor(WAIT)).as(String.join("\n", discover.stderr())).isZero();
    assertThat(discover.stdout())
        .anySatisfy(l -> assertThat(l).startsWith(subnet + ".1:17007 ANNOUNCE"));
  }
}
