package dev.socklab.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThreadModelTest {
  @Test
  void parsesTheThreeModels() {
    assertThat(ThreadModel.parse("virtual")).isEqualTo(ThreadModel.VIRTUAL);
    assertThat(ThreadModel.parse("Platform")).isEqualTo(ThreadModel.PLATFORM);
    assertThat(ThreadModel.parse("pool=8"))
        .isEqualTo(new ThreadModel(ThreadModel.Kind.POOL, 8))
        .hasToString("pool=8");
  }

  @Test
  void rejectsAnythingElseWithTheChoices() {
    for (String bad : new String[] {"pool=0", "pool=", "pool=x", "green", "pool=100001"}) {
      assertThatThrownBy(() -> ThreadModel.parse(bad))
          .hasMessageContaining("virtual, platform or pool=N");
    }
  }
}
