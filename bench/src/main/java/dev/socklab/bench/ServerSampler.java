package dev.socklab.bench;

import dev.socklab.common.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples a server process's memory and CPU from {@code /proc} during a round ({@code man 5 proc}):
 * {@code /proc/PID/status} for VmRSS and Threads, {@code /proc/PID/stat} for utime and stime. Every
 * {@value #PERIOD_MS} ms on a daemon thread of its own.
 */
final class ServerSampler implements AutoCloseable {
  /** Time between samples, in ms. */
  static final int PERIOD_MS = 100;

  /** Clock ticks per second of {@code /proc/PID/stat}'s times: USER_HZ, 100 on Linux. */
  static final double USER_HZ = 100;

  private final long pid;
  private final Thread thread;
  private final long startNanos;
  private final long startTicks;
  private volatile boolean running = true;
  private volatile long maxRss;
  private volatile int maxThreads;

  private ServerSampler(long pid) {
    this.pid = pid;
    this.startNanos = System.nanoTime();
    this.startTicks = cpuTicks();
    sample();
    this.thread = Thread.ofPlatform().daemon().name("server-sampler").start(this::loop);
  }

  /**
   * Starts sampling.
   *
   * @param pid the server's process id
   * @return the running sampler
   * @throws UserError if there is no such process, or its {@code /proc} entry cannot be read
   */
  static ServerSampler start(long pid) {
    return new ServerSampler(pid);
  }

  /**
   * Checks that {@code pid} can be sampled, before a run starts.
   *
   * @param pid a process id
   * @throws UserError if there is no such process
   */
  static void check(long pid) {
    if (!Files.isReadable(Path.of("/proc/" + pid + "/status"))) {
      throw new UserError(
          "--server-pid " + pid + ": no such process (nothing in /proc/" + pid + ")");
    }
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
      sample();
    }
  }

  private void sample() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          maxRss = Math.max(maxRss, kib(line) * 1024);
        } else if (line.startsWith("Threads:")) {
          maxThreads = Math.max(maxThreads, Integer.parseInt(line.substring(8).strip()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // The server exited mid-round: the round's own errors say so; keep what was sampled.
    }
  }

  private long cpuTicks() {
    try {
      return cpuTicks(pid);
    } catch (IOException | RuntimeException e) {
      throw new UserError("--server-pid " + pid + ": cannot read /proc/" + pid + "/stat");
    }
  }

  /**
   * The CPU time a process has used, its exited threads' included: utime + stime of {@code
   * /proc/PID/stat}, fields 14 and 15, counted after the ")" that ends the command name (which may
   * itself hold spaces).
   *
   * @param pid a process id
   * @return user + system time in clock ticks ({@link #USER_HZ} a second)
   * @throws IOException if there is no such process
   */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
    return Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
  }

  /**
   * A process's resident set size now.
   *
   * @param pid a process id
   * @return {@code VmRSS} of {@code /proc/PID/status}, in bytes
   * @throws IOException if there is no such process
   */
  static long rssBytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return kib(line) * 1024;
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }

  // "VmRSS:     12345 kB"
  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /**
   * Stops sampling.
   *
   * @return what was seen since {@link #start}
   */
  ServerUsage stop() {
    running = false;
    thread.interrupt();
    sample();
    double wall = (System.nanoTime() - startNanos) / 1e9;
    long ticks;
    try {
      ticks = cpuTicks() - startTicks;
    } catch (UserError e) {
      ticks = 0; // the server is gone
    }
    return new ServerUsage(maxRss, wall == 0 ? 0 : ticks / USER_HZ / wall, maxThreads);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
