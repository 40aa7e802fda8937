package dev.socklab.bench;

/** The progress bar on a terminal. (Stub: to be written.) */
final class Progress implements AutoCloseable {
  private Progress() {}

  static Progress start(boolean wanted, Runner.Plan plan, int targets, Session session) {
    return new Progress();
  }

  void roundStarts(BenchTarget target, Long sweepValue, boolean warmup) {}

  void pause() {}

  void resume() {}

  @Override
  public void close() {}
}
