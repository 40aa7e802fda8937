package dev.socklab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol on its own, with members that record what they are sent. */
class ChatRoomTest {
  private static final class Recorder implements ChatRoom.Member {
    final List<String> lines = new ArrayList<>();
    boolean closed;
    boolean aborted;
    int acceptBeforeSlow = Integer.MAX_VALUE;

    @Override
    public boolean send(byte[] line) {
      String text = new String(line, java.nio.charset.StandardCharsets.UTF_8);
      assertThat(text).endsWith("\n");
      lines.add(text.substring(0, text.length() - 1));
      return lines.size() <= acceptBeforeSlow;
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public void abort() {
      aborted = true;
    }

    @Override
    public String remote() {
      return "test";
    }
  }

  private final ChatRoom room = new ChatRoom(4096);
  private final Recorder a = new Recorder();
  private final Recorder b = new Recorder();
  private final Recorder c = new Recorder();

  private void joinAll() {
    room.join(a);
    room.join(b);
    room.join(c);
    a.lines.clear();
    b.lines.clear();
    c.lines.clear();
  }

  @Test
  void joinGivesGuestNicksAndTellsTheOthers() {
    room.join(a);
    room.join(b);
    assertThat(a.lines)
        .containsExactly(
            "* welcome to socklab chat, guest1. 1 online. /help lists the commands.",
            "* guest2 joined");
    assertThat(b.lines)
        .containsExactly("* welcome to socklab chat, guest2. 2 online. /help lists the commands.");
  }

  @Test
  void aLineGoesToEveryoneElseNeverBackToItsSender() {
    joinAll();
    room.line(a, "hello");
    assertThat(a.lines).isEmpty();
    assertThat(b.lines).containsExactly("[guest1] hello");
    assertThat(c.lines).containsExactly("[guest1] hello");
  }

  @Test
  void nicksAreUniqueIgnoringCase() {
    joinAll();
    room.line(a, "/nick Alice");
    room.line(b, "/nick aLICE");
    assertThat(a.lines).containsExactly("* you are now Alice");
    assertThat(b.lines)
        .containsExactly("* guest1 is now Alice", "* error: the nick aLICE is taken");
  }

  @Test
  void anInvisibleCharacterCannotMakeADuplicateNick() {
    joinAll();
    room.line(a, "/nick alice");
    room.line(b, "/nick ali\u200Bce");
    assertThat(b.lines).last().isEqualTo("* error: the nick alice is taken");
  }

  @Test
  void msgReachesOnlyItsTargetAndWhoListsEveryone() {
    joinAll();
    room.line(a, "/msg GUEST2 psst");
    assertThat(b.lines).containsExactly("[guest1 -> you] psst");
    assertThat(c.lines).isEmpty();
    assertThat(a.lines).containsExactly("* sent to guest2");
    room.line(c, "/who");
    assertThat(c.lines).containsExactly("* online (3): guest1, guest2, guest3");
  }

  @Test
  void errorsForUnknownCommandsAndMissingArguments() {
    joinAll();
    room.line(a, "/dance");
    room.line(a, "/msg nobody hi");
    room.line(a, "/msg guest2");
    room.line(a, "/me");
    assertThat(a.lines)
        .containsExactly(
            "* error: unknown command /dance (try /help)",
            "* error: no such nick: nobody",
            "* error: usage: /msg NICK TEXT",
            "* error: usage: /me ACTION");
    assertThat(b.lines).isEmpty();
  }

  @Test
  void meAndQuit() {
    joinAll();
    room.line(a, "/me waves");
    room.line(a, "/quit");
    assertThat(b.lines).containsExactly("* guest1 waves", "* guest1 left");
    assertThat(a.lines).containsExactly("* bye");
    assertThat(a.closed).isTrue();
    assertThat(room.size()).isEqualTo(2);
  }

  @Test
  void aClientOverItsOutputLimitIsCutOffAndTheOthersAreTold() {
    joinAll();
    c.acceptBeforeSlow = 1;
    room.line(a, "one");
    room.line(a, "two");
    assertThat(c.aborted).isTrue();
    assertThat(b.lines).containsExactly("[guest1] one", "[guest1] two", "* guest3 left (too slow)");
    room.line(a, "three");
    assertThat(c.lines).hasSize(2); // nothing more for a client that was cut off
  }

  @Test
  void controlCharactersNeverReachOthers() {
    joinAll();
    room.line(a, "\u001b[2J\u0007x\r\u202Ey");
    assertThat(b.lines).containsExactly("[guest1] [2Jxy");
  }
}
