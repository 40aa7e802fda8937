package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bash completion the build generated: every command and option, valid bash, and it completes.
 */
class CompletionIT {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  @Test
  void mentionsEveryCommandAndTheirOptions() throws IOException {
    String script = Files.readString(Generated.completion());
    assertThat(script).isNotBlank();
    for (String name : SocklabCommand.commandLine().getSubcommands().keySet()) {
      assertThat(script).contains(name);
    }
    assertThat(script).contains("--port", "--count", "--nick", "--abstract", "--beacon");
  }

  @Test
  void bashParsesIt() {
    Proc.Result r =
        Proc.run(LIMIT, new byte[0], List.of("bash", "-n", Generated.completion().toString()));
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void completesCommandsSubcommandsAndOptionsAsBashWould() {
    assertThat(complete("socklab", "echo-s")).containsExactly("echo-server");
    assertThat(complete("./socklab", "udp-client", "di")).containsExactly("discover");
    assertThat(complete("socklab", "echo-server", "--po")).containsExactly("--port");
    assertThat(complete("socklab", "completion", "z")).containsExactly("zsh");
  }

  /** What bash offers for the last word, asking the script's completion function as bash would. */
  private static List<String> complete(String... words) {
    String line = String.join(" ", words);
    String script =
        "source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\";"
            + " COMP_POINT=${#COMP_LINE}; _complete_socklab; printf '%s\\n' \"${COMPREPLY[@]}\"";
    List<String> command = new java.util.ArrayList<>(List.of("bash", "-c", script, "bash"));
    command.add(Generated.completion().toString());
    command.addAll(List.of(words));
    Proc.Result r = Proc.run(LIMIT, new byte[0], command);
    assertThat(r.exit()).as(line + ": " + r.stderr()).isZero();
    return r.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
