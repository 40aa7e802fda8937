package dev.socklab.bench;

import dev.socklab.common.Cli;
import dev.socklab.common.Durations;
import dev.socklab.common.UsageError;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code socklab bench start}: how long servers take from exec(2) to ready, the first line of
 * output that holds {@code --ready} (socklab's servers print "listening on ..." once listen(2) has
 * returned), and the CPU time and memory they spent to get there.
 *
 * <p>Each run starts the command (no shell: its words split as sh(1) splits them, see {@link
 * #words}; leading {@code VAR=value} words go to its environment, as env(1) takes them), reads its
 * standard output and error until the ready line, reads {@code /proc/PID/stat} and {@code
 * /proc/PID/status}, then stops it with SIGTERM (SIGKILL after {@code --timeout}). The times
 * include starting a process from Java (a few ms), the same for every target.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Starts each server command --runs times, interleaved (A B A B ...), and measures the time"
          + " from exec(2) to its ready line: the first line of output that holds --ready (a"
          + " socklab server's banner, printed once it listens). Also the CPU time it used by"
          + " then (all its threads, /proc/PID/stat) and its resident memory (VmRSS). Each run"
          + " is stopped with SIGTERM once ready.",
      "",
      "No shell runs the command: its words are split as sh(1) splits them ('...' and \"...\""
          + " keep spaces; nothing is expanded), and leading VAR=value words set its environment"
          + " (SOCKLAB_JAVA_OPTS='-XX:+UseSerialGC -Xmx64m' ./socklab echo-server --port 0). The"
          + " process started is the one signalled: a wrapper script must exec its server. Give"
          + " servers"
          + " --port 0 (or their own socket paths), so that runs never wait for a port.",
      "",
      "The first --warmup-runs of each target are not counted: the first run after a build"
          + " writes ./socklab's class-data archive, and the first after a reboot reads the jars"
          + " from disk.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./socklab bench start echo='./socklab echo-server --port 0' \\",
      "      uds='./socklab uds-server --path /tmp/b.sock'",
      "  ./socklab bench start cds='./socklab echo-server --port 0' \\",
      "      nocds='SOCKLAB_CDS=off ./socklab echo-server --port 0'",
      "  ./socklab bench start mine='./myserver 9000' --ready ready --runs 20"
    })
final class StartCommand implements Callable<Integer> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.+-]+");
  private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");

  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "NAME=COMMAND",
      description =
          "A server command to start, named for the table: echo='./socklab echo-server --port 0'."
              + " Quote each one for your shell.")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--runs",
      paramLabel = "N",
      defaultValue = "10",
      description = "Measured starts of each command, 1 to 1000 (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--warmup-runs",
      paramLabel = "N",
      defaultValue = "1",
      description = "Starts of each command before those, not counted, 0 to 100 (default: 1).")
  int warmupRuns;

  @Option(
      names = "--ready",
      paramLabel = "TEXT",
      defaultValue = "listening",
      description =
          "What the ready line holds (default: ${DEFAULT-VALUE}, as in every socklab server's"
              + " banner).")
  String ready;

  @Option(
      names = "--timeout",
      paramLabel = "TIME",
      defaultValue = "30s",
      converter = Durations.class,
      description =
          "A run that is not ready by then fails; a server that has not exited this long after"
              + " SIGTERM is killed (default: 30s).")
  Duration timeout;

  // The process being timed, for the shutdown hook.
  private volatile Process current;

  /** A command to start: its name in the table, its words, and environment variables to add. */
  record Target(String name, List<String> argv, Map<String, String> env) {
    /**
     * Parses {@code NAME=COMMAND}.
     *
     * @param text the argument
     * @return the target
     * @throws UsageError if there is no name, or no command after the environment assignments
     */
    static Target parse(String text) {
      int eq = text.indexOf('=');
      String name = eq < 0 ? "" : text.substring(0, eq);
      if (!NAME.matcher(name).matches()) {
        throw new UsageError(
            "'"
                + text
                + "': name each command, NAME=COMMAND (echo='./socklab echo-server --port 0')");
      }
      List<String> words = words(text.substring(eq + 1));
      Map<String, String> env = new LinkedHashMap<>();
      int i = 0;
      while (i < words.size() && ASSIGNMENT.matcher(words.get(i)).matches()) {
        String w = words.get(i++);
        env.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
      }
      if (i == words.size()) {
        throw new UsageError("'" + text + "': no command after " + name + "=");
      }
      return new Target(name, words.subList(i, words.size()), env);
    }
  }

  /**
   * Splits a command into words as sh(1) would, without expanding anything: at unquoted spaces,
   * with '...' and "..." keeping spaces (and \" or \\ inside double quotes), and a backslash
   * outside quotes taking the next character as it is.
   *
   * @param command the command
   * @return its words, quotes removed
   * @throws UsageError if a quote is not closed
   */
  static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0; // the quote we are inside, or 0
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (quote == 0 && Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        continue;
      }
      inWord = true;
      boolean escapes =
          i + 1 < command.length()
              && (quote == 0 || (quote == '"' && "\"\\".indexOf(command.charAt(i + 1)) >= 0));
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else if (c == '\\' && escapes) {
        word.append(command.charAt(++i));
      } else {
        word.append(c);
      }
    }
    if (quote != 0) {
      throw new UsageError("'" + command.strip() + "': a " + quote + " is not closed");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /**
   * One start that reached its ready line.
   *
   * @param readyNanos exec to the ready line, in ns
   * @param cpuTicks the process's user + system time by then, in clock ticks (100 a second)
   * @param rssBytes its resident set size then, in bytes
   */
  record Sample(long readyNanos, long cpuTicks, long rssBytes) {}

  @Override
  public Integer call() {
    if (runs < 1 || runs > 1000) {
      throw new UsageError("--runs must be 1 to 1000, not " + runs);
    }
    if (warmupRuns < 0 || warmupRuns > 100) {
      throw new UsageError("--warmup-runs must be 0 to 100, not " + warmupRuns);
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new UsageError("--timeout must be more than 0");
    }
    if (ready.isEmpty()) {
      throw new UsageError("--ready needs some text to look for");
    }
    List<Target> all = targets.stream().map(Target::parse).toList();
    if (all.stream().map(Target::name).distinct().count() < all.size()) {
      throw new UsageError("give each command a name of its own: " + String.join(" ", targets));
    }
    // Stopped ourselves (SIGTERM, or Ctrl-C where the terminal's SIGINT missed it): so is the
    // server we were timing.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Process p = current;
                  if (p != null) {
                    p.destroyForcibly();
                  }
                }));
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "start: exec(2) to the first line with '%s'; %d run%s of each, interleaved, after %d"
            + " not counted%n",
        ready,
        runs,
        runs == 1 ? "" : "s",
        warmupRuns);
    out.flush();

    Map<Target, List<Sample>> samples = new LinkedHashMap<>();
    Map<Target, String> failures = new LinkedHashMap<>();
    all.forEach(t -> samples.put(t, new ArrayList<>()));
    for (int run = 0; run < warmupRuns + runs; run++) {
      for (Target t : all) {
        if (failures.containsKey(t)) {
          continue; // one failure says what is wrong; no need to wait for it again
        }
        try {
          Sample s = startOnce(t);
          if (run >= warmupRuns) {
            samples.get(t).add(s);
          }
        } catch (StartFailure e) {
          failures.put(t, e.getMessage());
        }
      }
    }
    print(out, all, samples, failures);
    return failures.isEmpty() ? Cli.EXIT_OK : Cli.EXIT_FAILURE;
  }

  /** A run that never reached its ready line, and why. */
  static final class StartFailure extends Exception {
    private static final long serialVersionUID = 1L;

    StartFailure(String message) {
      super(message);
    }
  }

  // One run: start, read to the ready line, measure, stop (SIGTERM, then SIGKILL).
  private Sample startOnce(Target t) throws StartFailure {
    ProcessBuilder pb =
        new ProcessBuilder(t.argv())
            .redirectErrorStream(true) // a banner may go to either
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(t.env());
    long start = System.nanoTime();
    Process p;
    try {
      p = pb.start(); // posix_spawn(3), then exec(2) of the command
      current = p;
    } catch (IOException e) {
      // The JDK's message repeats the program's name; its cause says only why.
      Throwable why = e.getCause() != null ? e.getCause() : e;
      throw new StartFailure("cannot start " + t.argv().get(0) + ": " + why.getMessage().strip());
    }
    AtomicBoolean late = new AtomicBoolean();
    Thread deadline =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Thread.sleep(timeout);
                    late.set(true);
                    p.destroyForcibly();
                  } catch (InterruptedException e) {
                    // ready (or gone) in time
                  }
                });
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    try {
      String last = null;
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.contains(ready)) {
          long nanos = System.nanoTime() - start;
          deadline.interrupt();
          return new Sample(
              nanos, ServerSampler.cpuTicks(p.pid()), ServerSampler.rssBytes(p.pid()));
        }
        last = line;
      }
      // End of output: the deadline killed it, or it exited, or it closed its output.
      deadline.interrupt();
      String why;
      if (late.get()) {
        why = "no line with '" + ready + "' within " + Durations.format(timeout);
      } else if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        why = "exited (status " + p.exitValue() + ") before a line with '" + ready + "'";
      } else {
        why = "closed its output without a line with '" + ready + "'";
      }
      throw new StartFailure(why + (last == null ? "" : "; its last line: " + last));
    } catch (IOException e) {
      throw new StartFailure(
          late.get()
              ? "no line with '" + ready + "' within " + Durations.format(timeout)
              : "lost its output or /proc entry: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartFailure("interrupted");
    } finally {
      deadline.interrupt();
      stop(p, lines);
    }
  }

  // SIGTERM, as Ctrl-C's graceful stop would be, reading (and dropping) what it prints meanwhile;
  // SIGKILL if it has not exited within --timeout.
  private void stop(Process p, BufferedReader lines) {
    Thread.ofVirtual()
        .start(
            () -> {
              try (lines) {
                lines.transferTo(Writer.nullWriter());
              } catch (IOException e) {
                // gone
              }
            });
    p.destroy();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void print(
      PrintWriter out,
      List<Target> all,
      Map<Target, List<Sample>> samples,
      Map<Target, String> failures) {
    List<String[]> lines = new ArrayList<>();
    lines.add(
        new String[] {
          "target", "median", "ratio", "min", "p25", "p75", "max", "CPU (median)", "RSS (median)"
        });
    double base = -1;
    for (Target t : all) {
      List<Sample> s = samples.get(t);
      if (failures.containsKey(t) || s.isEmpty()) {
        continue;
      }
      long[] ready = s.stream().mapToLong(Sample::readyNanos).sorted().toArray();
      long median = percentile(ready, 50);
      if (base < 0) {
        base = median;
      }
      long cpu = percentile(s.stream().mapToLong(Sample::cpuTicks).sorted().toArray(), 50);
      long rss = percentile(s.stream().mapToLong(Sample::rssBytes).sorted().toArray(), 50);
      lines.add(
          new String[] {
            t.name(),
            Table.ms(median),
            String.format(Locale.ROOT, "%.2f", median / base),
            Table.ms(ready[0]),
            Table.ms(percentile(ready, 25)),
            Table.ms(percentile(ready, 75)),
            Table.ms(ready[ready.length - 1]),
            String.format(Locale.ROOT, "%.0f ms", cpu * 1000 / ServerSampler.USER_HZ),
            Table.mib(rss)
          });
    }
    if (lines.size() > 1) {
      Table.aligned(out, lines);
    }
    failures.forEach((t, why) -> out.println("  " + t.name() + ": FAILED: " + why));
    out.flush();
  }

  // Nearest rank, of sorted values.
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
