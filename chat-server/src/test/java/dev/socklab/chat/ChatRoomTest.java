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
    Runnable onNextSend; // run once, inside the next send: what an engine does while queuing

    @Override
    public boolean send(byte[] line) {
      String text = new String(line, java.nio.charset.StandardCharsets.UTF_8);
      assertThat(text).endsWith("\n");
      lines.add(text.substring(0, text.length() - 1));
      if (onNextSend != null) {
        Runnable r = onNextSend;
        onNextSend = null;
        r.run();
      }
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
  void aCyrillicLookAlikeOfAnOnlineNickIsRefusedAndTheReplyNamesIt() {
    joinAll();
    room.line(a, "/nick paypal");
    room.line(b, "/nick p\u0430ypal"); // U+0430 CYRILLIC SMALL LETTER A
    room.line(c, "/nick \u0440\u0430\u0443\u0440\u04301"); // Cyrillic р а у р а, digit 1
    assertThat(b.lines)
        .containsExactly(
            "* guest1 is now paypal",
            "* error: nick 'p\u0430ypal' looks like 'paypal', who is online");
    assertThat(c.lines)
        .last()
        .isEqualTo(
            "* error: nick '\u0440\u0430\u0443\u0440\u04301' looks like 'paypal', who is online");
    room.line(c, "/who");
    assertThat(c.lines).last().isEqualTo("* online (3): paypal, guest2, guest3");
  }

  @Test
  void aLookAlikeInAnotherCaseIsRefusedToo() {
    joinAll();
    room.line(a, "/nick CAR");
    room.line(b, "/nick \u13df\u13aa\u13a1"); // Cherokee: looks like CAR
    room.line(a, "/nick BOB");
    room.line(c, "/nick b\u043eb"); // Cyrillic o: looks like bob, the same nick as BOB
    room.line(a, "/nick bob");
    room.line(c, "/nick \u0392\u039f\u0392"); // Greek capitals: look like BOB, i.e. bob
    assertThat(b.lines)
        .filteredOn(line -> line.startsWith("* error"))
        .containsExactly("* error: nick '\u13df\u13aa\u13a1' looks like 'CAR', who is online");
    assertThat(c.lines)
        .filteredOn(line -> line.startsWith("* error"))
        .containsExactly(
            "* error: nick 'b\u043eb' looks like 'BOB', who is online",
            "* error: nick '\u0392\u039f\u0392' looks like 'bob', who is online");
  }

  @Test
  void caseStillMakesTheSameNick() {
    joinAll();
    room.line(a, "/nick Bob");
    room.line(b, "/nick bob");
    assertThat(b.lines).last().isEqualTo("* error: the nick bob is taken");
  }

  @Test
  void aRefusedNickLeavesTheOldOneInPlace() {
    joinAll();
    room.line(a, "/nick alice");
    room.line(b, "/nick Bob");
    b.lines.clear();
    room.line(b, "/nick \u0430lice");
    assertThat(b.lines)
        .containsExactly("* error: nick '\u0430lice' looks like 'alice', who is online");
    room.line(c, "/msg bob still you");
    assertThat(b.lines).last().isEqualTo("[guest3 -> you] still you");
    room.line(c, "/who");
    assertThat(c.lines).last().isEqualTo("* online (3): alice, Bob, guest3");
  }

  @Test
  void leavingFreesTheNickAndItsLookAlikes() {
    joinAll();
    room.line(a, "/nick paypal");
    room.leave(a);
    room.line(b, "/nick \u0440\u0430\u0443\u0440\u04301");
    assertThat(b.lines).last().isEqualTo("* you are now \u0440\u0430\u0443\u0440\u04301");
    room.line(b, "/nick guest2");
    room.line(c, "/nick PayPal");
    assertThat(c.lines).last().isEqualTo("* you are now PayPal");
  }

  @Test
  void msgGoesToTheExactNickNotToALookAlike() {
    joinAll();
    room.line(a, "/nick \u0441\u043e\u0441\u043e"); // Cyrillic: looks like coco
    a.lines.clear();
    b.lines.clear();
    room.line(b, "/msg coco hi");
    assertThat(b.lines).containsExactly("* error: no such nick: coco");
    assertThat(a.lines).isEmpty();
  }

  @Test
  void singleScriptNicksInAnyScriptAndHangulWithLatinAreAccepted() {
    joinAll();
    room.line(a, "/nick \ubbfc\uc218"); // 민수
    room.line(b, "/nick \ubbfc\uc218_kim99"); // Hangul with Latin letters and digits
    room.line(c, "/nick \u0418\u0432\u0430\u043d"); // Иван
    room.line(a, "/nick \u039d\u03af\u03ba\u03b7"); // Greek Νίκη
    room.line(a, "/nick \u305f\u306a\u304b\u592a\u90ce"); // Japanese たなか太郎
    room.line(a, "/nick alice");
    room.line(b, "/nick Alicia");
    assertThat(a.lines)
        .filteredOn(line -> line.startsWith("* you are now") || line.startsWith("* error"))
        .containsExactly(
            "* you are now \ubbfc\uc218",
            "* you are now \u039d\u03af\u03ba\u03b7",
            "* you are now \u305f\u306a\u304b\u592a\u90ce",
            "* you are now alice");
    assertThat(b.lines)
        .filteredOn(line -> line.startsWith("* you are now") || line.startsWith("* error"))
        .containsExactly("* you are now \ubbfc\uc218_kim99", "* you are now Alicia");
    assertThat(c.lines)
        .filteredOn(line -> line.startsWith("* you are now") || line.startsWith("* error"))
        .containsExactly("* you are now \u0418\u0432\u0430\u043d");
  }

  @Test
  void aNickMixingLatinWithCyrillicIsRefusedEvenWithNothingToLookLike() {
    joinAll();
    room.line(a, "/nick p\u0430ypal");
    room.line(a, "/nick Ivan_\u0418\u0432\u0430\u043d");
    assertThat(a.lines)
        .containsExactly(
            "* error: nick 'p\u0430ypal' mixes Latin and Cyrillic letters; write it in one script"
                + " (mixed scripts make look-alikes)",
            "* error: nick 'Ivan_\u0418\u0432\u0430\u043d' mixes Latin and Cyrillic letters;"
                + " write it in one script (mixed scripts make look-alikes)");
    room.line(b, "/nick paypal");
    assertThat(b.lines).last().isEqualTo("* you are now paypal");
  }

  @Test
  void guestNamesNeverLookLikeATakenNick() {
    room.join(a);
    room.line(a, "/nick guest\u01a7"); // U+01A7 LATIN CAPITAL LETTER TONE TWO looks like 2
    assertThat(a.lines).last().isEqualTo("* you are now guest\u01a7");
    room.join(b);
    assertThat(b.lines)
        .containsExactly("* welcome to socklab chat, guest3. 2 online. /help lists the commands.");
    room.line(b, "/nick guest2");
    assertThat(b.lines)
        .last()
        .isEqualTo("* error: nick 'guest2' looks like 'guest\u01a7', who is online");
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
  void aClientTheEngineCutsOffWhileQueuingLeavesOnceTheLineHasGoneToEveryone() {
    joinAll();
    b.onNextSend = () -> room.cutOff(c, "its queue was the largest"); // as OutputBudget does
    room.line(a, "hello");
    assertThat(c.aborted).isTrue();
    assertThat(b.lines).containsExactly("[guest1] hello", "* guest3 left (too slow)");
    assertThat(room.size()).isEqualTo(2);
    room.line(c, "still here?"); // input read before the connection closed
    assertThat(a.lines).containsExactly("* guest3 left (too slow)");
    room.cutOff(b, "its queue was the largest"); // outside any event: at once
    assertThat(a.lines).last().isEqualTo("* guest2 left (too slow)");
    room.cutOff(b, "again");
    assertThat(room.cutOffCount()).isEqualTo(2);
  }

  @Test
  void controlCharactersNeverReachOthers() {
    joinAll();
    room.line(a, "\u001b[2J\u0007x\r\u202Ey");
    assertThat(b.lines).containsExactly("[guest1] [2Jxy");
  }
}
