package dev.socklab.echo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.Activation;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The echo server started by a service manager: {@code --inetd} (one process per client, the
 * manager accepts, forks and reaps) under socat and systemd-socket-activate, and socket activation
 * (the manager binds; the server only accepts).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoServerInetdIT {
  private static final Duration STARTUP = Duration.ofSeconds(20);

  private static void assertRoundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(US_ASCII));
    assertThat(new String(s.getInputStream().readNBytes(text.length()), US_ASCII)).isEqualTo(text);
  }

  @Test
  void inetdWithoutASocketOnStandardInputIsOneLineAndExitOne() {
    try (RunningProcess server = RunningProcess.start("--inetd")) {
      assertThat(server.waitFor(STARTUP)).isEqualTo(1);
      assertThat(server.stderr()).hasSize(1);
      assertThat(server.stderr().getFirst())
          .startsWith(
              "socklab echo-server: --inetd serves one connection on standard input, but standard"
                  + " input is a pipe")
          .contains("systemd (Accept=yes, StandardInput=socket)");
    }
  }

  @Test
  void underSocatEachClientIsServedByAProcessOfItsOwn() throws Exception {
    Tools.requireSocat();
    int port = Activation.freePort();
    // EXEC: socat forks per connection and gives the server one end of a socketpair (AF_UNIX).
    List<String> socat =
        List.of(
            "socat",
            "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
            "EXEC:" + String.join(" ", RunningProcess.command("--inetd")));
    try (RunningProcess manager = RunningProcess.startCommand(socat)) {
      twoClientsTwoProcesses(manager, port);
    }
  }

  @Test
  void underSystemdSocketActivateAcceptEachClientIsServedByAProcessOfItsOwn() throws Exception {
    Tools.requireSystemdSocketActivate();
    int port = Activation.freePort();
    List<String> command =
        Activation.socketActivate(
            "127.0.0.1:" + port, true, true, List.of(), RunningProcess.command("--inetd"));
    try (RunningProcess manager = RunningProcess.startCommand(command)) {
      Set<Long> pids = twoClientsTwoProcesses(manager, port);
      // Each ended on its own when its client closed: no signal, exit 0, reaped by the manager.
      await()
          .atMost(STARTUP)
          .until(
              () ->
                  manager.stderr().stream()
                          .filter(l -> l.contains("echo-server stopped (connection ended)"))
                          .count()
                      == 2);
      assertThat(manager.stderr())
          .filteredOn(l -> l.startsWith("Child ") && l.contains("died with code 0"))
          .hasSize(pids.size());
    }
  }

  // Two clients at once: two server processes, each reporting its own pid; each exits when its
  // client leaves.
  private static Set<Long> twoClientsTwoProcesses(RunningProcess manager, int port)
      throws IOException {
    Set<Long> pids;
    try (Socket a = Activation.connect(port, STARTUP);
        Socket b = Activation.connect(port, STARTUP)) {
      assertRoundTrip(a, "one\n");
      assertRoundTrip(b, "two\n");
      await().atMost(STARTUP).until(() -> Activation.pids(manager.stderr()).size() == 2);
      pids = Activation.pids(manager.stderr());
      assertThat(pids)
          .as("both serve at once: %s", manager.stderr())
          .allSatisfy(pid -> assertThat(alive(pid)).isTrue())
          .doesNotContain(manager.process().pid());
      for (Socket s : List.of(a, b)) {
        s.shutdownOutput(); // our FIN: the server echoes what is left, closes, exits
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
    }
    await().atMost(STARTUP).until(() -> pids.stream().noneMatch(EchoServerInetdIT::alive));
    return pids;
  }

  private static boolean alive(long pid) {
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    return p.isPresent() && p.get().isAlive();
  }

  @Test
  void aSocketActivatedServerNeverBindsAndServesTheClientThatCameFirst() throws Exception {
    Tools.requireSystemdSocketActivate();
    int port = Activation.freePort();
    // No --accept: the listening socket itself goes to the server, on standard input (--inetd),
    // and only once the first client has connected (man 8 systemd-socket-activate).
    List<String> command =
        Activation.socketActivate(
            "127.0.0.1:" + port, false, true, List.of(), RunningProcess.command("--trace"));
    try (RunningProcess server = RunningProcess.startCommand(command)) {
      try (Socket first = Activation.connect(port, STARTUP)) {
        assertRoundTrip(first, "before the server ran\n");
      }
      server.awaitStderr("listening on 127.0.0.1:" + port + " (TCP, inherited", STARTUP);
      assertThat(server.stderr())
          .anySatisfy(
              l -> assertThat(l).endsWith("fd 0 inherited: listening socket 127.0.0.1:" + port))
          .noneSatisfy(l -> assertThat(l).containsAnyOf(" socket(AF_", " bind(", " listen("));
      assertThat(server.terminate(STARTUP)).isZero();
      assertThat(server.stderr()).anySatisfy(l -> assertThat(l).contains("1 client served"));
    }
  }
}
