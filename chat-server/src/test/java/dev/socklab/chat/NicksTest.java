package dev.socklab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The nick rules on their own: look-alike keys and the mixed-script rule (UTS #39). */
class NicksTest {
  @Test
  void lookAlikesShareAKeyAndDistinctNicksDoNot() {
    assertThat(Nicks.lookKeys("p\u0430ypal")).containsAnyElementsOf(Nicks.lookKeys("paypal"));
    assertThat(Nicks.lookKeys("Bob")).containsAnyElementsOf(Nicks.lookKeys("bob"));
    assertThat(Nicks.lookKeys("\ubbfc\uc218")).doesNotContainAnyElementsOf(Nicks.lookKeys("minsu"));
    assertThat(Nicks.lookKeys("\ubbfc\uc218"))
        .doesNotContainAnyElementsOf(Nicks.lookKeys("\ubbfc\uc8fc")); // 민수, 민주
    assertThat(Nicks.lookKeys("alice")).doesNotContainAnyElementsOf(Nicks.lookKeys("alicia"));
  }

  @Test
  void onlyRiskyScriptMixesAreRefused() {
    assertThat(Nicks.mixedScriptProblem("\ubbfc\uc218_kim99")).isNull(); // Hangul + Latin
    assertThat(Nicks.mixedScriptProblem("\u305f\u306a\u304b\u592a\u90ce")).isNull(); // Kana + Han
    assertThat(Nicks.mixedScriptProblem("Ahmed_\u0623\u062d\u0645\u062f")).isNull(); // + Arabic
    assertThat(Nicks.mixedScriptProblem("\u0418\u0432\u0430\u043d-2")).isNull(); // Cyrillic
    assertThat(Nicks.mixedScriptProblem("\u13a0\u13a1\u13a2")).isNull(); // Cherokee alone
    assertThat(Nicks.mixedScriptProblem("\u0391lice"))
        .isEqualTo(
            "nick '\u0391lice' mixes Greek and Latin letters; write it in one script"
                + " (mixed scripts make look-alikes)");
    assertThat(Nicks.mixedScriptProblem("a\u05d0\u0627"))
        .isEqualTo(
            "nick 'a\u05d0\u0627' mixes Latin, Hebrew and Arabic letters; write it in one script"
                + " (mixed scripts make look-alikes)");
  }
}
