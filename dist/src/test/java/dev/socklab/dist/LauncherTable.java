package dev.socklab.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command table in the {@code socklab} launcher ({@code commands()}), read as the launcher
 * reads it.
 */
record LauncherTable(List<Row> rows) {
  /**
   * One command.
   *
   * @param kind server, client, tool or project
   * @param name what the user types
   * @param module the Maven module whose jar it needs, or {@code -}
   * @param main the main class the release runs, or {@code -}
   * @param summary the usage line
   */
  record Row(String kind, String name, String module, String main, String summary) {}

  /**
   * @return the repository's root, which failsafe and surefire name in {@code socklab.root}
   */
  static Path root() {
    String root = System.getProperty("socklab.root");
    if (root == null) {
      throw new IllegalStateException("system property socklab.root must name the repository");
    }
    return Path.of(root).toAbsolutePath().normalize();
  }

  /**
   * Reads the table out of a launcher script: the lines of the here-doc in {@code commands()}.
   *
   * @param launcher the {@code socklab} script
   * @return its rows, in order
   */
  static LauncherTable read(Path launcher) {
    List<String> lines;
    try {
      lines = Files.readAllLines(launcher);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = lines.indexOf("commands() {");
    if (start < 0 || !lines.get(start + 1).strip().equals("cat <<'EOF'")) {
      throw new IllegalStateException(launcher + " has no commands() { cat <<'EOF' table");
    }
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(start + 2, lines.size())) {
      if (line.equals("EOF")) {
        return new LauncherTable(rows);
      }
      // As bash's `read -r kind name module main summary`: the last field takes the rest.
      String[] f = line.strip().split("\\s+", 5);
      rows.add(new Row(f[0], f[1], f[2], f[3], f.length > 4 ? f[4] : ""));
    }
    throw new IllegalStateException(launcher + ": the commands() table never ends (no EOF line)");
  }

  /**
   * @return the commands' names, in the table's order
   */
  List<String> names() {
    return rows.stream().map(Row::name).toList();
  }
}
