package dev.socklab.check;

import static dev.socklab.check.Checks.assertAllPass;
import static dev.socklab.check.Checks.check;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lifecycle cases ({@code --exec}): socklab's servers, run as real processes from the jars the
 * build made, pass them; each C fixture fails exactly the case of its bug. {@code check --exec}
 * starts every server itself and kills it when it ends (Launched.close), whatever the cases did.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LifecycleCheckIT {
  private static final String TCP_CASES = "basic,starts,fd-count,zombies,restart,sigterm";
  private static final String UNIX_CASES =
      "basic,starts,fd-count,zombies,restart,stale-socket,socket-file-removed,sigterm";

  // java -jar MODULE/target/MODULE.jar: the tests run in check/, so the jars are one level up.
  private static String socklab(String module) {
    Path jar = Path.of("..", module, "target", module + ".jar").toAbsolutePath().normalize();
    assertThat(jar).as("build the reactor first (mvn install -DskipTests)").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return java + " --enable-native-access=ALL-UNNAMED -jar " + jar;
  }

  private static Checks.Run checkFixture(String name) throws Exception {
    Path exe = Checks.fixture(name);
    Checks.Run run = check("echo", "--exec", exe + " {port}", "--only", TCP_CASES);
    System.out.println(name + ":\n" + run.out()); // the FAIL lines, in the test's output
    return run;
  }

  @Test
  void socklabsEchoServerPassesEveryLifecycleCase() {
    Checks.Run run =
        check(
            "echo",
            "--exec",
            socklab("echo-server") + " --bind 127.0.0.1 --port {port}",
            "--only",
            UNIX_CASES);
    System.out.println("echo-server:\n" + run.out());
    assertAllPass(run);
    assertThat(run.status())
        .containsExactlyEntriesOf(
            ordered(
                "basic",
                "PASS",
                "starts",
                "PASS",
                "fd-count",
                "PASS",
                "zombies",
                "PASS",
                "restart",
                "PASS",
                "stale-socket",
                "SKIP",
                "socket-file-removed",
                "SKIP",
                "sigterm",
                "PASS"));
    assertThat(run.line("zombies")).contains("no child processes");
  }

  @Test
  void socklabsUdsServerPassesTheSocketFileCasesToo() {
    Checks.Run run =
        check("echo", "--exec", socklab("uds-server") + " --path {path}", "--only", UNIX_CASES);
    System.out.println("uds-server:\n" + run.out());
    assertAllPass(run);
    assertThat(run.status().values()).containsOnly("PASS"); // no WARN: it unlinks its file
    assertThat(run.status()).hasSize(8);
  }

  @Test
  void socklabsUdpServerRestartsAndStopsOnSigterm() {
    Checks.Run run =
        check(
            "udp",
            "--exec",
            socklab("udp-broadcast") + " --bind 127.0.0.1 --port {port}",
            "--only",
            "starts,fd-count,zombies,restart,sigterm");
    System.out.println("udp-broadcast:\n" + run.out());
    assertAllPass(run);
    assertThat(run.status())
        .containsExactlyEntriesOf(
            ordered(
                "starts",
                "PASS",
                "fd-count",
                "SKIP",
                "zombies",
                "SKIP",
                "restart",
                "PASS",
                "sigterm",
                "PASS"));
  }

  @Test
  void forkWithoutWaitpidFailsZombiesOnly() throws Exception {
    Checks.Run run = checkFixture("echo_fork_zombies");
    assertThat(run.failed()).as(run.out()).containsExactly("zombies");
    assertThat(run.line("zombies")).contains("<defunct>").contains("SIGCHLD");
  }

  @Test
  void noReuseaddrFailsRestartOnly() throws Exception {
    Checks.Run run = checkFixture("echo_no_reuseaddr");
    assertThat(run.failed()).as(run.out()).containsExactly("restart");
    assertThat(run.line("restart"))
        .contains("Address already in use")
        .contains("TIME_WAIT")
        .contains("SO_REUSEADDR");
    // It cannot be started again until TIME_WAIT ends: sigterm has no server to stop.
    assertThat(run.status()).containsEntry("sigterm", "SKIP");
  }

  @Test
  void ignoringSigtermFailsSigtermOnly() throws Exception {
    Checks.Run run = checkFixture("echo_ignores_sigterm");
    assertThat(run.failed()).as(run.out()).containsExactly("sigterm");
    assertThat(run.line("sigterm")).contains("still running after 5.0 s");
    assertThat(run.exit()).isEqualTo(1);
  }

  private static Map<String, String> ordered(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }
}
