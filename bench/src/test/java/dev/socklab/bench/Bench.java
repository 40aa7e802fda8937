package dev.socklab.bench;

import dev.socklab.common.testing.CommandRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs {@code socklab bench} in this JVM and reads its table. */
final class Bench {
  /** A short run: one round of 600 ms, no warm-up. */
  static final List<String> SHORT =
      List.of("--duration", "600ms", "--rounds", "1", "--warmup", "0");

  private Bench() {}

  /**
   * What a run printed.
   *
   * @param exit the exit code
   * @param out the table
   * @param err the failure lines
   */
  record Run(int exit, String out, String err) {
    /**
     * @param target a target's name in the table
     * @return its throughput, or -1 if it has no line of numbers
     */
    double throughput(String target) {
      for (String line : out.lines().toList()) {
        String[] cells = line.strip().split("\\s+");
        if (cells.length > 2 && cells[0].equals(target) && cells[1].matches("[0-9,]+")) {
          return Double.parseDouble(cells[1].replace(",", ""));
        }
      }
      return -1;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "exit %d%n%s%s", exit, out, err);
    }
  }

  /**
   * @param args {@code bench}'s arguments after the mode; {@link #SHORT} is added
   * @return what it printed
   */
  static Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(SHORT);
    all.add("--no-progress");
    CommandRun.Result r = CommandRun.run(new BenchCommand(), all.toArray(String[]::new));
    return new Run(r.exit(), r.out(), r.err());
  }
}
