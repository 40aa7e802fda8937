package dev.socklab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/check.md lists every case with what it proves and the bug it names, as the code does. */
class CheckDocsTest {
  @Test
  void everyCaseIsDocumentedAsTheCodeDescribesIt() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "check.md"));
    for (Kind kind : Kind.values()) {
      for (CheckCase c : Cases.of(kind)) {
        assertThat(doc)
            .as("docs/check.md, %s case %s", kind, c.name())
            .contains("| `" + c.name() + "` | " + c.proves().replace("|", "\\|") + " | ")
            .contains(c.hint().replace("|", "\\|"));
      }
    }
  }
}
