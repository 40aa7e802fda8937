package dev.socklab.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.chat.ChatServer;
import dev.socklab.common.testing.RunningProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** chat-client, scripted through its stdin as a user would pipe into it, against both engines. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatClientIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void nickKoreanTextAndQuitGoThroughTheClient(ChatServer.Engine engine) throws Exception {
    try (ChatServer server =
        ChatServer.start(
            engine,
            ChatServer.Config.defaults(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
      int port = server.localAddress().getPort();
      try (Socket listener = new Socket(InetAddress.getLoopbackAddress(), port);
          BufferedReader room =
              new BufferedReader(new InputStreamReader(listener.getInputStream(), UTF_8));
          RunningProcess client =
              RunningProcess.startCommand(
                  RunningProcess.command("chat-client", "127.0.0.1:" + port, "--nick", "민수"))) {
        listener.setSoTimeout(20_000);
        assertThat(room.readLine()).startsWith("* welcome");
        assertThat(room.readLine()).isEqualTo("* guest2 joined");
        assertThat(room.readLine()).isEqualTo("* guest2 is now 민수");
        client.awaitStdout("* you are now 민수", WAIT);
        listener.getOutputStream().write("안녕하세요, 민수\n".getBytes(UTF_8));
        client.awaitStdout("[guest1] 안녕하세요, 민수", WAIT);
        client.writeLine("반가워요 👋");
        assertThat(room.readLine()).isEqualTo("[민수] 반가워요 👋");
        client.writeLine("/quit");
        assertThat(client.waitFor(WAIT)).isZero();
        assertThat(client.stdout()).contains("* bye");
        assertThat(room.readLine()).isEqualTo("* 민수 left");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void stdinEofLeavesCleanly(ChatServer.Engine engine) throws Exception {
    try (ChatServer server =
        ChatServer.start(
            engine,
            ChatServer.Config.defaults(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
      int port = server.localAddress().getPort();
      try (RunningProcess client =
          RunningProcess.startCommand(RunningProcess.command("chat-client", "127.0.0.1:" + port))) {
        client.awaitStdout("* welcome", WAIT);
        client.closeStdin();
        assertThat(client.waitFor(WAIT)).isZero();
        assertThat(client.stderr()).isEqualTo(List.of());
      }
    }
  }
}
