package dev.socklab.common;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM handling: the first signal asks for a graceful shutdown, a second one exits at
 * once (the usual convention of servers; press Ctrl-C twice to stop waiting).
 *
 * <p>This is sigaction(2) in Java: {@code sun.misc.Signal.handle} replaces the JVM's default action
 * (run shutdown hooks, exit 128+signo) so that the server can finish its work and exit 0. The
 * handler runs on a JVM signal-dispatch thread, not in an async-signal context, so it may take
 * locks; it only releases a latch.
 */
public final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final AtomicBoolean received = new AtomicBoolean();
  private volatile String name = "";

  private Signals() {}

  /**
   * Installs handlers for SIGINT and SIGTERM.
   *
   * @return the handle to wait on
   */
  public static Signals install() {
    Signals s = new Signals();
    for (String sig : new String[] {"INT", "TERM"}) {
      Signal.handle(new Signal(sig), s::onSignal);
    }
    return s;
  }

  /**
   * A handle no signal reaches: only {@link #request()} ends its {@link #await()} (for tests, which
   * must not take SIGINT away from the test runner).
   *
   * @return the handle
   */
  public static Signals manual() {
    return new Signals();
  }

  private void onSignal(Signal sig) {
    if (received.compareAndSet(false, true)) {
      name = "SIG" + sig.getName();
      log.info("{} received: shutting down gracefully (send it again to exit at once)", name);
      requested.countDown();
    } else {
      log.warn("SIG{} received again: exiting now", sig.getName());
      Runtime.getRuntime().halt(Cli.EXIT_FAILURE);
    }
  }

  /**
   * Blocks until SIGINT or SIGTERM arrives.
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public void await() throws InterruptedException {
    requested.await();
  }

  /** Asks for shutdown as a signal would (used by tests and by fatal errors in a server). */
  public void request() {
    request("request");
  }

  /**
   * Asks for shutdown for a reason other than a signal, named in the summary line.
   *
   * @param reason e.g. {@code "connection ended"}
   */
  public void request(String reason) {
    if (received.compareAndSet(false, true)) {
      name = reason;
      requested.countDown();
    }
  }

  /**
   * @return the signal that asked for shutdown, e.g. {@code "SIGTERM"}, or "" if none yet
   */
  public String signalName() {
    return name;
  }
}
