package dev.socklab.common;

/**
 * Work done ahead, on a daemon thread of its own, so that whoever needs it later finds it done: a
 * library's set-up that can overlap picocli's reading of the command line, or what a server's first
 * client would otherwise wait for (classes loaded, a scheduler started). A head start only: what
 * fails here is swallowed, and fails again, reported, where the work is done for real.
 */
public final class HeadStart {
  private HeadStart() {}

  /** Work that may throw anything. */
  @FunctionalInterface
  public interface Task {
    /**
     * @throws Exception whatever the work throws; swallowed
     */
    void run() throws Exception;
  }

  /**
   * Starts {@code task} on a daemon thread (a JVM does not wait for it to exit).
   *
   * @param name the thread's name, as {@code jstack} shows it
   * @param task the work
   * @return the thread, for {@link #await} or {@link Thread#join()}
   */
  public static Thread start(String name, Task task) {
    return Thread.ofPlatform()
        .name(name)
        .daemon()
        .start(
            () -> {
              try {
                task.run();
              } catch (Exception | Error e) {
                // only a head start: the work meets this again where it is done for real
              }
            });
  }

  /**
   * Waits for a head start to end, even when interrupted meanwhile (the interrupt is kept for the
   * caller to see).
   *
   * @param thread what {@link #start} returned, or null for nothing to wait for
   */
  public static void await(Thread thread) {
    if (thread == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
