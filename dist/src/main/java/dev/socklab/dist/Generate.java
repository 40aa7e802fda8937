package dev.socklab.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes what the build generates from {@link SocklabCommand}'s model, in the release's layout:
 * {@code DIR/man/man1/socklab*.1} and {@code DIR/bash-completion/completions/socklab}. The build
 * runs it in {@code process-classes} (exec-maven-plugin, in Maven's JVM: well under a second).
 */
public final class Generate {
  private Generate() {}

  /**
   * Generates the man pages and the completion script.
   *
   * @param args the output directory ({@code dist/target/share}) and the version for the pages
   * @throws IOException if a file cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: Generate OUTPUT-DIR VERSION");
    }
    Path out = Path.of(args[0]);
    CommandLine socklab = SocklabCommand.commandLine();

    Path man1 = Files.createDirectories(out.resolve("man/man1"));
    // A renamed or removed command's page must not linger (and ship) from an earlier build.
    try (Stream<Path> old = Files.list(man1)) {
      for (Path page : old.filter(p -> p.toString().endsWith(".1")).toList()) {
        Files.delete(page);
      }
    }
    for (Map.Entry<String, String> page : ManPages.all(socklab, args[1]).entrySet()) {
      Files.writeString(man1.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
    }

    Path completions = Files.createDirectories(out.resolve("bash-completion/completions"));
    Files.writeString(completions.resolve("socklab"), bash(socklab), StandardCharsets.UTF_8);
  }

  /**
   * The bash completion script of the whole command tree (zsh loads it through bashcompinit).
   *
   * @param socklab the model, {@link SocklabCommand#commandLine()}
   * @return picocli's generated script, registered for {@code socklab} (and so {@code ./socklab})
   */
  public static String bash(CommandLine socklab) {
    return AutoComplete.bash("socklab", socklab);
  }
}
