package dev.socklab.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesUnitsAndPlainSeconds() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
  }

  @Test
  void rejectsWhatIsNotADuration() {
    assertThatThrownBy(() -> Durations.parse("-1s")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("500ms");
  }

  @Test
  void formatsCompactly() {
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250 ms");
    assertThat(Durations.format(Duration.ofSeconds(2))).isEqualTo("2 s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5 s");
  }
}
