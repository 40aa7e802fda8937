package dev.socklab.bench;

import dev.socklab.common.Durations;
import dev.socklab.common.UsageError;
import dev.socklab.netty.Transport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options every mode of {@code bench} shares (how long, how many rounds, sweeps, outputs), and
 * the run they drive: {@link Runner}, the table, and the CSV, JSON and chart files.
 */
final class RunOptions {
  /** The measured time per target and sweep point when neither --duration nor --count is given. */
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);

  /**
   * The wait for a reply when neither --timeout nor the mode says ({@link Load#defaultTimeout}).
   */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  @Option(
      names = "--duration",
      paramLabel = "TIME",
      converter = Durations.class,
      description =
          "Measured time per target at each sweep point, split over the rounds (default: 10s).")
  Duration duration;

  @Option(
      names = "--count",
      paramLabel = "N",
      description = "Measure N operations per target instead of a time (split over the rounds).")
  long count;

  @Option(
      names = "--warmup",
      paramLabel = "TIME",
      defaultValue = "2s",
      converter = Durations.class,
      description =
          "Load each target this long before measuring it, not counted: a Java server's JIT"
              + " compiles its hot code first (default: ${DEFAULT-VALUE}; 0 for none). The run's"
              + " first warm-up lasts at least 10s: bench's own JIT is still compiling in its first"
              + " seconds, and on a small machine that shows in the tail latency. With connections kept across rounds a"
              + " warm-up runs as two rounds of half the time, so that bench's own JIT has seen a"
              + " round end and begin before anything counts.")
  Duration warmup;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Measured rounds per target, interleaved A B A B ... (default: ${DEFAULT-VALUE}). echo"
              + " keeps its connections from the warm-up to the last round of a sweep point.")
  int rounds;

  @Option(
      names = "--sweep",
      paramLabel = "PARAM=V1,V2,...",
      description = "Repeat the run for each value of one parameter: conns=1,10,100 or rate=... .")
  String sweep;

  @Option(
      names = "--csv",
      paramLabel = "FILE",
      description = "Also write the results as CSV, one line per target and sweep point.")
  Path csv;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the results, rounds and percentiles as JSON.")
  Path json;

  @Option(
      names = "--chart",
      paramLabel = "FILE",
      description =
          "Draw throughput and latency of every target on the same axes: FILE.png or .svg.")
  Path chart;

  @Option(
      names = "--chart-size",
      paramLabel = "WxH",
      defaultValue = "1200x900",
      description = "The chart's size in pixels (default: ${DEFAULT-VALUE}).")
  String chartSize;

  @Option(
      names = "--server-pid",
      paramLabel = "[NAME=]PID",
      description =
          "Sample this server process's RSS and CPU from /proc during the rounds; repeat it, in"
              + " target order or as NAME=PID, for several targets.")
  List<String> serverPids = new ArrayList<>();

  @Option(
      names = "--max-loss",
      paramLabel = "PERCENT",
      description = "Messages that may be lost before the run fails, in %% (default: 0; udp 1).")
  Double maxLoss;

  @Option(
      names = "--timeout",
      paramLabel = "TIME",
      converter = Durations.class,
      description = "Longest wait for a reply before it counts as lost (default: 5s; udp 500ms).")
  Duration timeout;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "1",
      description = "bench's own event-loop threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--transport",
      paramLabel = "KIND",
      defaultValue = "auto",
      converter = Transport.Converter.class,
      description =
          "bench's sockets: auto (io_uring where the kernel allows it, else epoll, else nio),"
              + " io_uring, epoll or nio.")
  Transport transport;

  @Option(
      names = "--no-progress",
      description =
          "No progress bar (there is none anyway when stderr is not a terminal, or CI is set).")
  boolean noProgress;

  /**
   * Runs {@code load} against {@code targets} and reports.
   *
   * @param spec the mode's command (for its name and output streams)
   * @param load the workload
   * @param targets the servers, 1 or more
   * @return the exit code: 0 if every target was measured, 1 if one failed
   * @throws UsageError if an option is out of range or no target is given
   * @throws dev.socklab.common.UserError if a target cannot be reached
   * @throws InterruptedException if interrupted
   */
  int execute(CommandSpec spec, Load load, List<BenchTarget> targets) throws InterruptedException {
    if (targets.isEmpty()) {
      throw new UsageError("name a server to measure: HOST:PORT, unix:PATH or abstract:NAME");
    }
    Runner.Plan plan = plan(load);
    Map<BenchTarget, Long> pids = pids(targets);
    int[] size = chartSize();
    PrintWriter out = spec.commandLine().getOut();
    List<Row> rows;
    // A mode may wait less by default: a UDP datagram is late after 500 ms, a TCP reply is not.
    Duration replyTimeout = timeout != null ? timeout : load.defaultTimeout();
    try (Session session = new Session(transport, threads, replyTimeout);
        Progress progress = Progress.start(!noProgress, plan, targets.size(), session)) {
      String heading =
          String.format(
              "%s: %s; %s per target in %d rounds%s; %s, %d loop%s",
              spec.qualifiedName().replaceFirst("^socklab ", ""),
              "%s",
              plan.budget(),
              plan.rounds(),
              plan.warmup().isZero()
                  ? ""
                  : " after a " + Durations.format(plan.warmup()) + " warm-up" + longerFirst(plan),
              session.transport(),
              threads,
              threads == 1 ? "" : "s");
      Runner.Listener table =
          new Runner.Listener() {
            @Override
            public void roundStarts(BenchTarget target, Long sweepValue, boolean warm) {
              progress.roundStarts(target, sweepValue, warm);
            }

            @Override
            public void pointDone(List<Row> point) {
              progress.pause();
              Table.print(out, String.format(heading, point.get(0).load()), point);
              progress.resume();
            }
          };
      rows = new Runner(session, load, targets, pids, plan, table).run();
    }
    if (csv != null) {
      Csv.write(csv, rows, plan.sweepParameter());
    }
    if (json != null) {
      Json.write(json, rows, plan);
    }
    if (chart != null) {
      Chart.write(chart, rows, plan.sweepParameter(), size[0], size[1]);
    }
    List<Row> failed = rows.stream().filter(r -> !r.ok()).toList();
    for (Row r : failed) {
      spec.commandLine()
          .getErr()
          .println(spec.qualifiedName() + ": " + r.target().name() + " failed: " + r.failure());
    }
    spec.commandLine().getErr().flush();
    return failed.isEmpty() ? 0 : 1;
  }

  private Runner.Plan plan(Load load) {
    if (count > 0 && duration != null) {
      throw new UsageError("give --duration or --count, not both");
    }
    if (rounds < 1 || rounds > 1000) {
      throw new UsageError("--rounds must be 1 to 1000, not " + rounds);
    }
    if (threads < 1 || threads > 256) {
      throw new UsageError("--threads must be 1 to 256, not " + threads);
    }
    if (count < 0) {
      throw new UsageError("--count must be 1 or more");
    }
    Duration time = duration == null ? DEFAULT_DURATION : duration;
    if (count == 0 && time.toMillis() < rounds) {
      throw new UsageError("--duration " + Durations.format(time) + " is too short");
    }
    double loss = maxLoss != null ? maxLoss : load.defaultMaxLossPercent();
    if (loss < 0 || loss > 100) {
      throw new UsageError("--max-loss must be 0 to 100 (percent), not " + loss);
    }
    String parameter = null;
    List<Long> values = new ArrayList<>();
    if (sweep != null) {
      int eq = sweep.indexOf('=');
      if (eq <= 0 || eq == sweep.length() - 1) {
        throw new UsageError(
            "--sweep takes PARAM=V1,V2,... (e.g. conns=1,10,100), not '" + sweep + "'");
      }
      parameter = sweep.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      for (String v : sweep.substring(eq + 1).split(",")) {
        values.add(number(v, "--sweep " + parameter));
      }
      for (Long v : values) {
        load.with(parameter, v); // a bad parameter or value is a usage error now, not mid-run
      }
    }
    Budget budget = count > 0 ? Budget.count(count) : Budget.of(time);
    return new Runner.Plan(warmup, budget, rounds, parameter, values, loss / 100);
  }

  private Map<BenchTarget, Long> pids(List<BenchTarget> targets) {
    Map<BenchTarget, Long> pids = new LinkedHashMap<>();
    for (int i = 0; i < serverPids.size(); i++) {
      String s = serverPids.get(i);
      int eq = s.indexOf('=');
      BenchTarget t;
      if (eq > 0) {
        String name = s.substring(0, eq);
        t =
            targets.stream()
                .filter(x -> x.name().equals(name))
                .findFirst()
                .orElseThrow(
                    () -> new UsageError("--server-pid " + s + ": no target named " + name));
      } else if (i < targets.size()) {
        t = targets.get(i);
      } else {
        throw new UsageError("--server-pid " + s + ": more PIDs than targets");
      }
      long pid = number(eq > 0 ? s.substring(eq + 1) : s, "--server-pid");
      ServerSampler.check(pid);
      pids.put(t, pid);
    }
    return pids;
  }

  private int[] chartSize() {
    String[] wh = chartSize.toLowerCase(Locale.ROOT).split("x");
    if (wh.length != 2) {
      throw new UsageError("--chart-size takes WIDTHxHEIGHT in pixels, e.g. 1200x900");
    }
    int w = (int) number(wh[0], "--chart-size");
    int h = (int) number(wh[1], "--chart-size");
    if (w < 200 || h < 200 || w > 10000 || h > 10000) {
      throw new UsageError("--chart-size must be 200 to 10000 pixels each way");
    }
    if (chart != null) {
      String name = chart.getFileName().toString().toLowerCase(Locale.ROOT);
      if (!name.endsWith(".png") && !name.endsWith(".svg")) {
        throw new UsageError("--chart " + chart + ": the name must end in .png or .svg");
      }
    }
    return new int[] {w, h};
  }

  // Said in the heading when the run's first warm-up is longer than --warmup.
  private static String longerFirst(Runner.Plan plan) {
    return plan.firstWarmup().equals(plan.warmup())
        ? ""
        : " (the first " + Durations.format(plan.firstWarmup()) + ": bench's own JIT too)";
  }

  private static long number(String text, String what) {
    try {
      return Long.parseLong(text.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageError(what + ": '" + text + "' is not a whole number");
    }
  }

  /** {@code 2000/s} or {@code 2000}: messages per second, 1 or more. */
  static final class RateConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      String t = text.strip().toLowerCase(Locale.ROOT);
      if (t.endsWith("/s")) {
        t = t.substring(0, t.length() - 2);
      }
      try {
        long n = Long.parseLong(t.replace("_", ""));
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through to the message
      }
      throw new TypeConversionException(
          "'" + text + "' is not a rate: give messages per second, e.g. 2000/s");
    }
  }
}
