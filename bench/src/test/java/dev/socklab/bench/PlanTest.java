package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanTest {
  private static Runner.Plan warmup(Duration warmup) {
    return new Runner.Plan(warmup, Budget.of(Duration.ofSeconds(3)), 3, null, List.of(), 0);
  }

  @Test
  void theFirstWarmUpLastsLongEnoughForBenchsOwnJit() {
    assertThat(warmup(Duration.ofSeconds(2)).firstWarmup()).isEqualTo(Runner.OWN_JIT_WARMUP);
    assertThat(warmup(Duration.ofMillis(300)).firstWarmup()).isEqualTo(Runner.OWN_JIT_WARMUP);
  }

  @Test
  void noWarmUpStaysNoneAndALongerOneIsKept() {
    assertThat(warmup(Duration.ZERO).firstWarmup()).isZero();
    assertThat(warmup(Duration.ofSeconds(15)).firstWarmup()).isEqualTo(Duration.ofSeconds(15));
  }
}
