package dev.socklab.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void escapesQuotesBackslashAndControlCharacters() {
    assertThat(JsonText.quote("a \"b\" \\ c")).isEqualTo("\"a \\\"b\\\" \\\\ c\"");
    assertThat(JsonText.quote("1\n2\r3\t4\u00015")).isEqualTo("\"1\\n2\\r3\\t4\\u00015\"");
  }

  @Test
  void keepsOtherTextAndGivesNullForNull() {
    assertThat(JsonText.quote("µs → ok")).isEqualTo("\"µs → ok\"");
    assertThat(JsonText.quote(null)).isEqualTo("null");
  }
}
