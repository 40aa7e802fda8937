package dev.socklab.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
  private final List<String> got = new ArrayList<>();
  private final LineFramer framer = new LineFramer(16);
  private final LineFramer.Sink sink =
      new LineFramer.Sink() {
        @Override
        public void line(String line) {
          got.add(line);
        }

        @Override
        public void tooLong() {
          got.add("<too long>");
        }
      };

  private void feed(byte... bytes) {
    framer.feed(ByteBuffer.wrap(bytes), sink);
  }

  @Test
  void aCharacterSplitAcrossReadsArrivesWhole() {
    byte[] han = "한\n".getBytes(UTF_8);
    for (byte b : han) {
      feed(b);
    }
    assertThat(got).containsExactly("한");
  }

  @Test
  void crlfAndLfBothEndALine() {
    feed("a\r\nb\n\n".getBytes(UTF_8));
    assertThat(got).containsExactly("a", "b", "");
  }

  @Test
  void invalidUtf8BecomesReplacementCharacters() {
    feed((byte) 0xff, (byte) 'o', (byte) 'k', (byte) '\n');
    assertThat(got).containsExactly("\uFFFDok");
  }

  @Test
  void aTooLongLineIsReportedOnceAndDroppedThenFramingResumes() {
    for (int i = 0; i < 1000; i++) {
      feed("xxxxxxxxxx".getBytes(UTF_8));
    }
    feed("\nnext\n".getBytes(UTF_8));
    assertThat(got).containsExactly("<too long>", "next");
  }

  @Test
  void theLimitItselfFits() {
    feed(("x".repeat(16) + "\r\n" + "y".repeat(17) + "\n").getBytes(UTF_8));
    assertThat(got).containsExactly("x".repeat(16), "<too long>");
  }
}
