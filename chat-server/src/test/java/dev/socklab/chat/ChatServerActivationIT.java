package dev.socklab.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.Activation;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket activation: systemd-socket-activate binds and listens, and starts the chat server only
 * when the first client has connected; the server never binds. The Netty engine adopts fd 3 ({@code
 * LISTEN_FDS}) and tells {@code $NOTIFY_SOCKET} it is ready; the selector engine adopts the socket
 * on standard input.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatServerActivationIT {
  private static final Duration STARTUP = Duration.ofSeconds(20);

  @TempDir Path dir;

  // The first client connected before the server ran; it is welcomed into the room. The banner is
  // on stderr when standard input (and so maybe stdout) is the inherited socket.
  private static void firstClientIsWelcomed(RunningProcess server, int port, boolean onStdin)
      throws Exception {
    try (Socket first = Activation.connect(port, STARTUP)) {
      BufferedReader in = new BufferedReader(new InputStreamReader(first.getInputStream(), UTF_8));
      assertThat(in.readLine()).startsWith("* welcome to socklab chat");
    }
    String banner = "listening on 127.0.0.1:" + port + " (TCP, inherited";
    if (onStdin) {
      server.awaitStderr(banner, STARTUP);
    } else {
      server.awaitStdout(banner, STARTUP);
    }
    assertThat(server.stderr())
        .noneSatisfy(l -> assertThat(l).containsAnyOf(" socket(AF_", " bind(", " listen("));
  }

  @Test
  void theNettyEngineAdoptsListenFdsNeverBindsAndNotifiesReady() throws Exception {
    Tools.requireSystemdSocketActivate();
    Tools.requireSocat();
    Path notify = dir.resolve("notify.sock");
    int port = Activation.freePort();
    // Our own service manager's notification socket: socat prints each datagram it receives.
    try (RunningProcess manager =
            RunningProcess.startCommand(List.of("socat", "-u", "UNIX-RECV:" + notify, "STDOUT"));
        RunningProcess server =
            RunningProcess.startCommand(
                Activation.socketActivate(
                    "127.0.0.1:" + port,
                    false,
                    false,
                    List.of("NOTIFY_SOCKET=" + notify),
                    RunningProcess.command("--engine", "netty", "--trace")))) {
      await().atMost(STARTUP).until(() -> Files.exists(notify));
      firstClientIsWelcomed(server, port, false);
      assertThat(server.stderr())
          .anySatisfy(
              l ->
                  assertThat(l)
                      .endsWith("fd 3 inherited (LISTEN_FDS): listening socket 127.0.0.1:" + port));
      manager.awaitStdout("READY=1", STARTUP);
      assertThat(manager.awaitStdout("MAINPID=", STARTUP))
          .isEqualTo("MAINPID=" + server.process().pid());
      assertThat(server.terminate(STARTUP)).isZero();
    }
  }

  @Test
  void theSelectorEngineAdoptsTheListeningSocketOnStandardInput() throws Exception {
    Tools.requireSystemdSocketActivate();
    int port = Activation.freePort();
    try (RunningProcess server =
        RunningProcess.startCommand(
            Activation.socketActivate(
                "127.0.0.1:" + port, false, true, List.of(), RunningProcess.command("--trace")))) {
      firstClientIsWelcomed(server, port, true);
      assertThat(server.stderr())
          .anySatisfy(
              l -> assertThat(l).endsWith("fd 0 inherited: listening socket 127.0.0.1:" + port));
      assertThat(server.terminate(STARTUP)).isZero();
      assertThat(server.stderr()).anySatisfy(l -> assertThat(l).contains("1 client served"));
    }
  }
}
