package dev.socklab.dist;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the build put what {@link Generate} wrote, as failsafe names it. */
final class Generated {
  private Generated() {}

  /**
   * @return {@code dist/target/share}, checked to hold man pages and the completion
   */
  static Path share() {
    String share = System.getProperty("socklab.share");
    if (share == null || !Files.isDirectory(Path.of(share, "man/man1"))) {
      throw new IllegalStateException(
          "system property socklab.share must name dist/target/share (run as an *IT with failsafe)");
    }
    return Path.of(share);
  }

  /**
   * @return the generated bash completion script
   */
  static Path completion() {
    return share().resolve("bash-completion/completions/socklab");
  }

  /**
   * @return the directory of the generated man pages
   */
  static Path man1() {
    return share().resolve("man/man1");
  }
}
