package dev.socklab.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.common.testing.RunningProcess;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both engines, in this JVM, through real loopback sockets and real nc processes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChatServerIT {
  private ChatServer server;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    if (server != null) {
      server.stop(Duration.ofSeconds(2));
    }
  }

  private int start(ChatServer.Engine engine, ChatServer.Config config) throws IOException {
    server = ChatServer.start(engine, config);
    return server.localAddress().getPort();
  }

  private int start(ChatServer.Engine engine) throws IOException {
    return start(engine, onLoopback());
  }

  private static ChatServer.Config onLoopback() {
    return ChatServer.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  private ChatPeer join(int port) throws IOException {
    ChatPeer p = ChatPeer.join(port);
    open.add(p);
    return p;
  }

  private RunningProcess nc(int port) {
    RunningProcess p =
        RunningProcess.startCommand(List.of("nc", "127.0.0.1", Integer.toString(port)));
    open.add(p);
    p.awaitStdout("* welcome", Duration.ofSeconds(20));
    return p;
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void threeNetcatsChatAndNeverSeeTheirOwnLines(ChatServer.Engine engine) throws Exception {
    Tools.requireOpenBsdNetcat();
    int port = start(engine);
    Duration wait = Duration.ofSeconds(20);
    RunningProcess a = nc(port);
    RunningProcess b = nc(port);
    RunningProcess c = nc(port);
    a.awaitStdout("* guest3 joined", wait);
    a.writeLine("hello from a");
    b.writeLine("hi from b");
    c.writeLine("안녕 from c");
    for (RunningProcess p : List.of(a, b, c)) {
      p.awaitStdout("[guest", wait);
    }
    a.awaitStdout("[guest2] hi from b", wait);
    a.awaitStdout("[guest3] 안녕 from c", wait);
    b.awaitStdout("[guest1] hello from a", wait);
    b.awaitStdout("[guest3] 안녕 from c", wait);
    c.awaitStdout("[guest1] hello from a", wait);
    c.awaitStdout("[guest2] hi from b", wait);
    assertThat(a.stdout()).noneMatch(l -> l.startsWith("[guest1]"));
    assertThat(b.stdout()).noneMatch(l -> l.startsWith("[guest2]"));
    assertThat(c.stdout()).noneMatch(l -> l.startsWith("[guest3]"));
    c.close(); // nc dies: the server sees EOF or RST
    a.awaitStdout("* guest3 left", wait);
    b.awaitStdout("* guest3 left", wait);
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void hangulSplitByteByByteArrivesWholeAndInvalidUtf8BecomesReplacement(ChatServer.Engine engine)
      throws Exception {
    int port = start(engine);
    ChatPeer sender = join(port);
    ChatPeer receiver = join(port);
    sender.socket.setTcpNoDelay(true); // one byte, one segment
    for (byte b : "한글\n".getBytes(UTF_8)) {
      sender.sendRaw(new byte[] {b});
      Thread.sleep(5); // pacing, not waiting: gives each byte its own segment and read()
    }
    assertThat(receiver.awaitLine("[guest1] ")).isEqualTo("[guest1] 한글");
    sender.sendRaw(new byte[] {(byte) 0xff, (byte) 0xc3, 'o', 'k', '\n'});
    assertThat(receiver.awaitLine("ok")).isEqualTo("[guest1] \uFFFD\uFFFDok");
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void escapesControlsAndInvisibleCharactersNeverReachAnotherClient(ChatServer.Engine engine)
      throws Exception {
    int port = start(engine);
    ChatPeer a = join(port);
    ChatPeer b = join(port);
    a.send("\u001b[2Jwipe\rover\u0007bell \u202Eevil\u200B zero\u2066x");
    assertThat(b.awaitLine("wipe")).isEqualTo("[guest1] [2Jwipeoverbell evil zerox");
    b.send("/nick bob");
    a.awaitLine("* guest2 is now bob");
    a.send("/nick b\u200Bob"); // looks like bob: refused, it is bob once cleaned
    assertThat(a.awaitLine("error")).isEqualTo("* error: the nick bob is taken");
    a.send("/nick \u001b[31mmallory");
    assertThat(a.awaitLine("letters, digits")).startsWith("* error:");
    a.send("end");
    b.awaitLine("[guest1] end");
    assertThat(b.lines)
        .allSatisfy(
            l ->
                assertThat(l.codePoints())
                    .noneMatch(cp -> cp < 0x20 || cp == 0x7f || Sanitizer.isUnsafe(cp)));
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void aTooLongLineIsRefusedAndTheConnectionKeepsWorking(ChatServer.Engine engine)
      throws Exception {
    int port = start(engine);
    ChatPeer a = join(port);
    ChatPeer b = join(port);
    a.send("x".repeat(ChatServer.Config.DEFAULT_MAX_LINE + 1000));
    assertThat(a.awaitLine("error"))
        .isEqualTo("* error: line too long (the limit is 4096 bytes); not sent");
    a.send("short again");
    b.awaitLine("[guest1] short again");
    assertThat(b.lines).noneMatch(l -> l.contains("xxxx"));
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void aClientThatStopsReadingIsCutOffWhileTenOthersExchangeTenThousandLines(
      ChatServer.Engine engine) throws Exception {
    int port = start(engine);
    ChatPeer slow = ChatPeer.nonReading(port);
    open.add(slow);
    int talkers = 10;
    int linesEach = 1000;
    List<ChatPeer> room = new ArrayList<>();
    for (int i = 0; i < talkers; i++) {
      room.add(join(port));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> server.connectedClients() == talkers + 1);
    String padding = "p".repeat(400); // 10,000 lines of ~430 bytes: far past the 1 MiB limit
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < talkers; i++) {
        ChatPeer p = room.get(i);
        int who = i;
        sent.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < linesEach; n++) {
                    p.send("from " + who + " line " + n + " " + padding);
                  }
                }));
      }
      for (Future<?> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    int expected = (talkers - 1) * linesEach;
    for (ChatPeer p : room) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> p.lines.stream().filter(l -> l.contains(" line ")).count() == expected);
    }
    room.get(0).awaitLine("* guest1 left (too slow)");
    assertThat(server.stop(Duration.ofSeconds(2)).cutOff()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void fiftyMembersThatStopReadingStayWithinTheTotalBudgetAndTheLargestQueuesAreCutFirst(
      ChatServer.Engine engine) throws Exception {
    long budget = 12L << 20;
    int port =
        start(
            engine,
            onLoopback()
                .withMaxLine(65536)
                .withMaxPending(64 << 20) // never reached: only the total budget cuts here
                .withMaxPendingTotal(budget));
    ChatPeer reader = join(port); // guest1
    ChatPeer sender = join(port); // guest2
    int stalledCount = 50;
    for (int i = 0; i < stalledCount; i++) {
      ChatPeer p = ChatPeer.nonReading(port); // guest3 ... guest52, in this order
      open.add(p);
      int online = 3 + i;
      await().atMost(Duration.ofSeconds(20)).until(() -> server.connectedClients() == online);
    }
    // The last five to join get more than the others: an engine that cut in join order, or in
    // any order but by size, would cut the others first.
    List<String> largest = List.of("guest48", "guest49", "guest50", "guest51", "guest52");
    String text = "x".repeat(60_000);
    int[] sent = {0};
    Runnable oneLine =
        () -> {
          int n = sent[0]++;
          sender.send("line " + n + " " + text);
          reader.awaitLine("] line " + n + " ");
        };
    // 1. Everyone's socket buffers fill (a few MB each), then about a line each queues in the
    // server.
    for (int i = 0; i < 200 && server.queuedBytes() < stalledCount * 60_000L; i++) {
      oneLine.run();
    }
    assertThat(server.queuedBytes()).isBetween(stalledCount * 60_000L, budget / 2);
    // 2. Eight more lines each for the last five, which now hold the most.
    for (String nick : largest) {
      for (int i = 0; i < 8; i++) {
        sender.send("/msg " + nick + " " + text);
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> sender.lines.stream().filter(l -> l.equals("* sent to " + nick)).count() == 8);
    }
    // 3. More for everyone, until the total passes the budget and five are cut off.
    Supplier<List<String>> cut = // in the order the reader was told
        () ->
            reader.lines.stream()
                .filter(l -> l.endsWith(" left (too slow)"))
                .map(l -> l.substring(2, l.indexOf(' ', 2)))
                .toList();
    for (int i = 0; i < 20 && cut.get().size() < largest.size(); i++) {
      oneLine.run();
    }
    assertThat(cut.get()).hasSizeGreaterThanOrEqualTo(largest.size());
    assertThat(cut.get().subList(0, largest.size())).containsExactlyInAnyOrderElementsOf(largest);
    for (int i = 0; i < 3; i++) {
      oneLine.run(); // the reader is still served (and the budget cuts more of the others)
    }
    assertThat(server.queuedBytes()).isLessThanOrEqualTo(budget);
    ChatServer.Stats stats = server.stop(Duration.ofSeconds(2));
    assertThat(stats.queuedPeak()).isBetween(budget * 3 / 4, budget);
    reader.awaitEof(); // after every notice
    assertThat(cut.get()).hasSize((int) stats.cutOff());
    List<String> received =
        reader.lines.stream()
            .filter(l -> l.startsWith("[guest2] line "))
            .map(l -> l.substring(0, l.indexOf(' ', "[guest2] line ".length())))
            .toList();
    List<String> expected = new ArrayList<>();
    for (int n = 0; n < sent[0]; n++) {
      expected.add("[guest2] line " + n);
    }
    assertThat(received).isEqualTo(expected); // every line, once, in order
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void nickRulesPrivateMessagesAndWho(ChatServer.Engine engine) throws Exception {
    int port = start(engine);
    ChatPeer a = join(port);
    ChatPeer b = join(port);
    ChatPeer c = join(port);
    a.send("/nick 민수");
    a.awaitLine("* you are now 민수");
    b.send("/nick 민수");
    assertThat(b.awaitLine("error")).isEqualTo("* error: the nick 민수 is taken");
    b.send("/nick Bob");
    a.awaitLine("* guest2 is now Bob");
    c.send("/nick BOB");
    assertThat(c.awaitLine("error")).isEqualTo("* error: the nick BOB is taken");
    c.send("/msg bob just for you");
    assertThat(b.awaitLine("just for you")).isEqualTo("[guest3 -> you] just for you");
    c.awaitLine("* sent to Bob");
    c.send("/who");
    assertThat(c.awaitLine("* online")).isEqualTo("* online (3): 민수, Bob, guest3");
    c.send("public");
    a.awaitLine("[guest3] public");
    assertThat(a.lines).noneMatch(l -> l.contains("just for you"));
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void oneClientTooManyIsToldTheServerIsFull(ChatServer.Engine engine) throws Exception {
    int port = start(engine, onLoopback().withMaxClients(2));
    ChatPeer a = join(port);
    join(port);
    ChatPeer third = ChatPeer.nonReading(port);
    open.add(third);
    java.io.InputStream in = third.socket.getInputStream();
    third.socket.setSoTimeout(20_000);
    assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("* server full\n");
    a.send("still fine");
    assertThat(server.connectedClients()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(ChatServer.Engine.class)
  void stopTellsEveryoneAndClosesAfterFlushing(ChatServer.Engine engine) throws Exception {
    int port = start(engine);
    ChatPeer a = join(port);
    ChatPeer b = join(port);
    a.send("last words");
    b.awaitLine("[guest1] last words");
    ChatServer.Stats stats = server.stop(Duration.ofSeconds(5));
    for (ChatPeer p : List.of(a, b)) {
      p.awaitEof();
      assertThat(p.lines).last().isEqualTo("* server shutting down");
    }
    assertThat(stats.clients()).isEqualTo(2);
    assertThat(stats.relayed()).isEqualTo(1);
  }
}
