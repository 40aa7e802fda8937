package dev.socklab.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * A clone as the launcher sees one once it is built, made from this tree's build: the launcher, a
 * pom.xml, every command's module jar (empty but for the ones asked for, which come with their
 * target/lib), and a build stamp newer than every source (there are none). A test runs {@code
 * ./socklab} there, never in this tree: {@code ./socklab test} holds the build lock while the tests
 * run, so a launcher here that found the tree in need of a build would wait for it.
 */
final class BuiltClone {
  private BuiltClone() {}

  /**
   * Makes the clone.
   *
   * @param dir an empty directory of the test's
   * @param modules the modules whose jars must run, e.g. {@code echo-server}
   * @return {@code dir}
   * @throws IOException if a file cannot be copied
   */
  static Path make(Path dir, String... modules) throws IOException {
    Path built = LauncherTable.root();
    Files.createDirectories(dir.resolve("target"));
    Files.writeString(dir.resolve("pom.xml"), "");
    Files.copy(
        built.resolve("socklab"), dir.resolve("socklab"), StandardCopyOption.COPY_ATTRIBUTES);
    for (String module : modules) {
      copyFiles(built.resolve(module + "/target/lib"), dir.resolve(module + "/target/lib"));
      Files.copy(
          built.resolve(module + "/target/" + module + ".jar"),
          dir.resolve(module + "/target/" + module + ".jar"));
    }
    for (LauncherTable.Row row : LauncherTable.read(built.resolve("socklab")).rows()) {
      Path jar = dir.resolve(row.module() + "/target/" + row.module() + ".jar");
      if (!row.module().equals("-") && !Files.exists(jar)) {
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "");
      }
    }
    Files.writeString(dir.resolve("target/socklab-build.stamp"), "");
    return dir;
  }

  /**
   * Copies the files of a directory (not its subdirectories) into another, made if need be.
   *
   * @param from the directory to copy
   * @param to where its files go
   * @throws IOException if a file cannot be copied
   */
  static void copyFiles(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
