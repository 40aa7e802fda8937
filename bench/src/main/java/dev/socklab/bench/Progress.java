package dev.socklab.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar on stderr (progressbar's), while a run lasts: how much of the whole run is done
 * (in seconds; in operations for {@code --count}), which target, round and sweep point is running,
 * and the live throughput in operations/s.
 *
 * <p>Only on a terminal: with {@code --no-progress}, when there is no console ({@link
 * System#console()}), when stderr is not a terminal (redirected to a file or a pipe), or when the
 * environment variable {@code CI} is set, it prints nothing at all. The bar is given its width
 * (from {@code stty size}), so that progressbar never opens a JLine terminal: JLine would replace
 * the JVM's SIGINT handling while it is open.
 */
final class Progress implements AutoCloseable {
  /** How often the bar is redrawn, in ms. */
  static final int REFRESH_MILLIS = 250;

  /** The bar's width when the terminal's cannot be read, in columns. */
  static final int DEFAULT_WIDTH = 80;

  private final Runner.Plan plan;
  private final Session session;
  private final Gate gate;
  private final ProgressBar bar;
  private final Thread updater;
  private final Map<BenchTarget, Integer> roundOf = new HashMap<>();
  // The rate over the last second: ring buffers of (time ns, operations) samples.
  private final long[] sampleNanos = new long[1000 / REFRESH_MILLIS + 1];
  private final long[] sampleOps = new long[sampleNanos.length];
  private int samples;
  private long done; // ms (timed) or operations (--count) of the rounds before this one
  private long current; // this round's expected ms or operations
  private long roundStart; // System.nanoTime(), or the operation counter, when it started
  private boolean measured;
  private boolean warmedUp; // the run's first (longer) warm-up has begun
  private Long point;
  private String what = "starting";

  private Progress(Runner.Plan plan, int targets, Session session, PrintStream out, int width) {
    this.plan = plan;
    this.session = session;
    this.gate = new Gate(out, width);
    int points = Math.max(1, plan.sweepValues().size());
    ProgressBarBuilder b =
        new ProgressBarBuilder()
            .setTaskName("bench")
            .setStyle(ProgressBarStyle.UNICODE_BLOCK)
            .setUpdateIntervalMillis(REFRESH_MILLIS)
            .continuousUpdate()
            .setConsumer(gate)
            .clearDisplayOnFinish();
    if (plan.budget().timed()) {
      long each = plan.warmup().toMillis() + plan.budget().duration().toMillis();
      long longerFirst = plan.firstWarmup().minus(plan.warmup()).toMillis();
      b.setInitialMax((long) points * targets * each + longerFirst).setUnit(" s", 1000);
    } else {
      b.setInitialMax((long) points * targets * plan.rounds() * plan.perRound().count());
    }
    this.bar = b.build();
    this.updater = Thread.ofPlatform().daemon().name("bench-progress").start(this::update);
  }

  /**
   * @param wanted false with {@code --no-progress}
   * @param plan the run's plan (its length)
   * @param targets how many targets
   * @param session its counter of operations done
   * @return the bar, or one that prints nothing when not on a terminal
   */
  static Progress start(boolean wanted, Runner.Plan plan, int targets, Session session) {
    if (!wanted || System.console() == null || System.getenv("CI") != null || !stderrIsTerminal()) {
      return new Progress();
    }
    return new Progress(plan, targets, session, System.err, terminalWidth());
  }

  /**
   * A bar drawn onto {@code out} whatever it is: for tests, which have no terminal.
   *
   * @param plan the run's plan
   * @param targets how many targets
   * @param session its counter of operations done
   * @param out where to draw
   * @return the bar
   */
  static Progress drawingOn(Runner.Plan plan, int targets, Session session, PrintStream out) {
    return new Progress(plan, targets, session, out, DEFAULT_WIDTH);
  }

  // Prints nothing, ever.
  private Progress() {
    this.plan = null;
    this.session = null;
    this.gate = null;
    this.bar = null;
    this.updater = null;
  }

  /**
   * A round begins: what the bar names, and where its position counts from.
   *
   * @param target the server
   * @param sweepValue the sweep point, or null
   * @param warmup true for the warm-up round
   */
  synchronized void roundStarts(BenchTarget target, Long sweepValue, boolean warmup) {
    if (bar == null) {
      return;
    }
    done += current; // 0 for a warm-up under --count: its operations are not counted
    if (!java.util.Objects.equals(sweepValue, point)) {
      roundOf.clear();
      point = sweepValue;
    }
    measured = !warmup;
    if (plan.budget().timed()) {
      Duration warm = warmedUp ? plan.warmup() : plan.firstWarmup();
      current = (warmup ? warm : plan.perRound().duration()).toMillis();
      warmedUp |= warmup;
      roundStart = System.nanoTime();
    } else {
      current = warmup ? 0 : plan.perRound().count();
      roundStart = session.progress().sum();
    }
    int round = warmup ? 0 : roundOf.merge(target, 1, Integer::sum);
    what =
        target.name()
            + (warmup ? " warm-up" : " round " + round + "/" + plan.rounds())
            + (sweepValue == null ? "" : ", " + plan.sweepParameter() + "=" + sweepValue);
  }

  /** Clears the bar's line, so that the table prints on a clean line; {@link #resume} redraws. */
  void pause() {
    if (gate != null) {
      gate.pause();
    }
  }

  /** Draws the bar again after {@link #pause}. */
  void resume() {
    if (gate != null) {
      gate.resume();
      bar.refresh();
    }
  }

  /** Stops the updates and clears the bar's line. */
  @Override
  public void close() {
    if (bar == null) {
      return;
    }
    updater.interrupt();
    try {
      updater.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    bar.close();
  }

  // Every REFRESH_MILLIS: the position and the message, from the clock and the counter.
  private void update() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        long ops = session.progress().sum();
        long now = System.nanoTime();
        synchronized (this) {
          long within =
              plan.budget().timed()
                  ? TimeUnit.NANOSECONDS.toMillis(now - roundStart)
                  : measured ? ops - roundStart : 0;
          bar.stepTo(done + Math.min(within, current));
          bar.setExtraMessage(what + rate(now, ops));
        }
        Thread.sleep(REFRESH_MILLIS);
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  // ", 12,345 ops/s" over the last second; empty until two samples exist.
  private String rate(long now, long ops) {
    int i = samples % sampleNanos.length;
    int oldest = samples < sampleNanos.length ? 0 : (samples + 1) % sampleNanos.length;
    sampleNanos[i] = now;
    sampleOps[i] = ops;
    samples++;
    if (samples < 2 || now == sampleNanos[oldest]) {
      return "";
    }
    double perSecond = (ops - sampleOps[oldest]) * 1e9 / (now - sampleNanos[oldest]);
    return String.format(Locale.ROOT, ", %,.0f ops/s", perSecond);
  }

  // Linux: fd 2 is a terminal when it links to a tty device (man 5 proc, /proc/PID/fd).
  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  // "ROWS COLS" from stty on the controlling terminal; DEFAULT_WIDTH if that fails.
  private static int terminalWidth() {
    try {
      Process p =
          new ProcessBuilder("stty", "size")
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() == 0) {
        int cols = Integer.parseInt(out.strip().split("\\s+")[1]);
        if (cols >= 20) {
          return cols;
        }
      }
    } catch (IOException | RuntimeException e) {
      // no stty, or no controlling terminal
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DEFAULT_WIDTH;
  }

  /**
   * Draws the bar onto one line ({@code \r}, no cursor movement), unless paused; progressbar calls
   * it from its own thread.
   */
  private static final class Gate extends ConsoleProgressBarConsumer {
    private final PrintStream out;
    private final int width;
    private boolean paused;

    Gate(PrintStream out, int width) {
      super(out, width - 1); // the last column would wrap on some terminals
      this.out = out;
      this.width = width;
    }

    @Override
    public synchronized void accept(String line) {
      if (!paused) {
        super.accept(line);
        out.flush();
      }
    }

    synchronized void pause() {
      paused = true;
      clear();
    }

    synchronized void resume() {
      paused = false;
    }

    @Override
    public synchronized void clear() {
      out.print("\r" + " ".repeat(width - 1) + "\r");
      out.flush();
    }

    @Override
    public void close() {
      // No new line: clear() has emptied the bar's line for whatever prints next.
      out.flush();
    }
  }
}
