package dev.socklab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SanitizerTest {
  @Test
  void removesTerminalControlsButKeepsTabAndText() {
    assertThat(Sanitizer.clean("\u001b[2Jhi\r\u0007\tthere\u009b31m")).isEqualTo("[2Jhi\tthere31m");
  }

  @Test
  void removesBidiAndZeroWidthFormatCharacters() {
    assertThat(Sanitizer.clean("a\u202Eb\u2066c\u2069d\u200Be\u200Df\uFEFFg\u2028h"))
        .isEqualTo("abcdefgh");
  }

  @Test
  void keepsEveryScriptAndEmoji() {
    assertThat(Sanitizer.clean("안녕하세요 Привет 😀 ½")).isEqualTo("안녕하세요 Привет 😀 ½");
  }

  @Test
  void nickRules() {
    assertThat(Sanitizer.nickProblem("민수_99-x")).isNull();
    assertThat(Sanitizer.nickProblem("a".repeat(20))).isNull();
    assertThat(Sanitizer.nickProblem("a".repeat(21))).contains("1-20");
    assertThat(Sanitizer.nickProblem("")).contains("1-20");
    assertThat(Sanitizer.nickProblem("bob smith")).contains("no spaces");
    assertThat(Sanitizer.nickProblem("[31mbob")).isNotNull();
    assertThat(Sanitizer.fold("ALICE")).isEqualTo(Sanitizer.fold("alice"));
  }
}
