package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The man pages the build generated: one per command, and man renders each without a warning. */
class ManPagesIT {
  @BeforeEach
  void needMan() {
    Tools.skipOrFail(Tools.onPath("man"), "man is not installed (apt-get install man-db)");
  }

  @Test
  void theBuildWroteOnePagePerCommand() throws IOException {
    List<String> expected =
        ManPages.tree(SocklabCommand.commandLine().getCommandSpec()).stream()
            .map(s -> ManPages.pageName(s) + ".1")
            .sorted()
            .toList();
    try (Stream<Path> files = Files.list(Generated.man1())) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted())
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void manRendersEveryPageWithoutWarningsAndWithEveryOption() {
    for (CommandSpec spec : ManPages.tree(SocklabCommand.commandLine().getCommandSpec())) {
      Path page = Generated.man1().resolve(ManPages.pageName(spec) + ".1");
      // Not a terminal: man formats for MANWIDTH columns, without a pager or overstrikes.
      Proc.Result r =
          Proc.run(
              Duration.ofSeconds(30),
              new byte[0],
              List.of("env", "MANWIDTH=100", "man", "--warnings", "-l", page.toString()));
      assertThat(r.exit()).as(page + ": " + r.stderr()).isZero();
      assertThat(r.stderr()).as(page.toString()).isEmpty();
      String text = r.out();
      assertThat(text).as(page.toString()).contains("NAME", "SYNOPSIS", ManPages.pageName(spec));
      for (OptionSpec o : spec.options()) {
        assertThat(text).as(page.toString()).contains(ManPagesTest.shown(o));
      }
    }
  }
}
