package dev.socklab.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** sd_listen_fds(3)'s rules: the descriptors are ours only if LISTEN_PID names our pid. */
class InheritedTest {
  @Test
  void listenFdsCountsOnlyForThisPid() {
    assertThat(Inherited.listenFds(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1"), 42)).isEqualTo(1);
    assertThat(Inherited.listenFds(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2"), 42)).isEqualTo(2);
    // Meant for a parent that exec'd us without clearing them (a shell wrapper that forked).
    assertThat(Inherited.listenFds(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "1"), 42)).isZero();
  }

  @Test
  void missingOrMalformedVariablesMeanNothingWasPassed() {
    assertThat(Inherited.listenFds(Map.of(), 42)).isZero();
    assertThat(Inherited.listenFds(Map.of("LISTEN_FDS", "1"), 42)).isZero();
    assertThat(Inherited.listenFds(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "x"), 42)).isZero();
    assertThat(Inherited.listenFds(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "-3"), 42)).isZero();
  }

  @Test
  void aPipeIsNoListeningSocket() {
    // This JVM's fd 0 under Maven is a pipe or /dev/null; fd 999 is not open at all.
    assertThat(Inherited.isListeningSocket(0, true)).isFalse();
    assertThat(Inherited.isListeningSocket(999, false)).isFalse();
  }
}
