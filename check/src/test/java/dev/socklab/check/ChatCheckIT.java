package dev.socklab.check;

import static dev.socklab.check.Checks.assertAllPass;
import static dev.socklab.check.Checks.check;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.chat.ChatServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code check chat} against socklab's own chat server, both engines (it must pass every case), and
 * against a C select() relay that sends each line back to its sender too (it must fail {@code
 * no-self-echo} and nothing else, and pass everything with {@code --self-echo}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChatCheckIT {
  /** The chat cases, in the order they run. */
  private static final List<String> CASES =
      List.of(
          "relay",
          "no-self-echo",
          "framing",
          "utf-8",
          "order",
          "slow-consumer",
          "member-reset",
          "many-members");

  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void socklabsChatServerPassesEveryCase(ChatServer.Engine engine) throws Exception {
    server =
        ChatServer.start(
            engine,
            ChatServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    Checks.Run run = check("chat", "127.0.0.1:" + server.localAddress().getPort());
    assertAllPass(run);
    assertThat(chatStatus(run).keySet()).as(run.out()).containsExactlyElementsOf(CASES);
  }

  @Test
  void aRelayThatEchoesToTheSenderFailsNoSelfEchoOnly() throws Exception {
    Path relay = Checks.fixture("chat_self_echo");
    Checks.Run run = check("chat", "--exec", relay + " {port}");
    assertThat(chatStatus(run).keySet()).as(run.out()).containsExactlyElementsOf(CASES);
    assertThat(chatFailed(run)).as(run.out()).isEqualTo(Set.of("no-self-echo"));
    assertThat(run.line("no-self-echo"))
        .contains("member 1 got its own line")
        .contains(
            "likely bug: relays the line back to its sender too (loop over all clients without"
                + " skipping the sender's descriptor)");
    assertThat(run.exit()).isEqualTo(1);
  }

  @Test
  void withSelfEchoTheSameRelayPassesEveryChatCase() throws Exception {
    Path relay = Checks.fixture("chat_self_echo");
    Checks.Run run = check("chat", "--self-echo", "--exec", relay + " {port}");
    assertThat(chatStatus(run).keySet()).as(run.out()).containsExactlyElementsOf(CASES);
    assertThat(chatFailed(run)).as(run.out()).isEmpty();
  }

  // Only the chat cases: lifecycle cases (run with --exec) are another module's business.
  private static Map<String, String> chatStatus(Checks.Run run) {
    return run.status().entrySet().stream()
        .filter(e -> CASES.contains(e.getKey()))
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, LinkedHashMap::new));
  }

  private static Set<String> chatFailed(Checks.Run run) {
    return chatStatus(run).entrySet().stream()
        .filter(e -> e.getValue().equals("FAIL"))
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }
}
