package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socklab.common.UsageError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How {@code bench start} reads {@code NAME=COMMAND}: sh(1)'s word splitting, env(1)'s VAR=value.
 */
class StartCommandTest {
  @Test
  void wordsSplitAtSpacesAndQuotesKeepThem() {
    assertThat(StartCommand.words("  ./socklab  echo-server --port 0 "))
        .containsExactly("./socklab", "echo-server", "--port", "0");
    assertThat(StartCommand.words("OPTS='-Xmx64m -XX:+UseSerialGC' java"))
        .containsExactly("OPTS=-Xmx64m -XX:+UseSerialGC", "java");
    assertThat(StartCommand.words("a\"b c\"d 'it''s' x\\ y"))
        .containsExactly("ab cd", "its", "x y");
  }

  @Test
  void backslashesEscapeOutsideQuotesAndOnlyQuoteOrBackslashInsideDoubleQuotes() {
    assertThat(StartCommand.words("\"say \\\"hi\\\" \\\\ \\n\""))
        .containsExactly("say \"hi\" \\ \\n");
    assertThat(StartCommand.words("'\\n'")).containsExactly("\\n");
    assertThat(StartCommand.words("\\'a")).containsExactly("'a");
  }

  @Test
  void anOpenQuoteIsAUsageError() {
    assertThatThrownBy(() -> StartCommand.words("X='a b ./server"))
        .isInstanceOf(UsageError.class)
        .hasMessage("'X='a b ./server': a ' is not closed");
  }

  @Test
  void leadingAssignmentsAreTheEnvironment() {
    StartCommand.Target t =
        StartCommand.Target.parse(
            "nocds=SOCKLAB_CDS=off SOCKLAB_JAVA_OPTS='-Xmx64m -Xss1m' ./socklab echo-server A=1");
    assertThat(t.name()).isEqualTo("nocds");
    assertThat(t.env())
        .isEqualTo(Map.of("SOCKLAB_CDS", "off", "SOCKLAB_JAVA_OPTS", "-Xmx64m -Xss1m"));
    assertThat(t.argv()).isEqualTo(List.of("./socklab", "echo-server", "A=1"));
  }
}
