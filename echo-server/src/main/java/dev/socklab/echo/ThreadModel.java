package dev.socklab.echo;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which threads serve the clients of the echo server ({@code --threads}).
 *
 * <ul>
 *   <li>{@code virtual}: one virtual thread per client (JDK 21, JEP 444). Cheap: 10,000 clients
 *       cost a few KiB each, not a stack each.
 *   <li>{@code platform}: one kernel thread per client, the classic accept()-then-pthread_create
 *       server of the course. Each costs a stack (1 MiB reserved by default).
 *   <li>{@code pool=N}: a fixed pool of N threads. Client N+1 is accepted by the kernel and by us,
 *       but waits until a thread is free: the classic limit, shown on purpose.
 * </ul>
 *
 * @param kind which of the three models
 * @param poolSize the pool size for {@link Kind#POOL}, 1-100000; 0 otherwise
 */
public record ThreadModel(Kind kind, int poolSize) {
  /** The three thread models. */
  public enum Kind {
    VIRTUAL,
    PLATFORM,
    POOL
  }

  /** Default: one virtual thread per client. */
  public static final ThreadModel VIRTUAL = new ThreadModel(Kind.VIRTUAL, 0);

  /** One platform (kernel) thread per client. */
  public static final ThreadModel PLATFORM = new ThreadModel(Kind.PLATFORM, 0);

  /**
   * Parses {@code virtual}, {@code platform} or {@code pool=N}.
   *
   * @param text the option value
   * @return the model
   * @throws IllegalArgumentException with a message for the user if {@code text} is none of them
   */
  public static ThreadModel parse(String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("virtual")) {
      return VIRTUAL;
    }
    if (t.equals("platform")) {
      return PLATFORM;
    }
    if (t.startsWith("pool=")) {
      try {
        int n = Integer.parseInt(t.substring(5));
        if (n >= 1 && n <= 100_000) {
          return new ThreadModel(Kind.POOL, n);
        }
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a thread model: use virtual, platform or pool=N (N = 1-100000)");
  }

  /**
   * @return an executor that runs one task per client according to this model
   */
  ExecutorService newExecutor() {
    return switch (kind) {
      case VIRTUAL ->
          Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("client-", 1).factory());
      case PLATFORM ->
          Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("client-", 1).factory());
      case POOL -> Executors.newFixedThreadPool(poolSize, named("pool-"));
    };
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> Thread.ofPlatform().name(prefix + n.incrementAndGet()).unstarted(r);
  }

  /**
   * @return how the banner describes it, e.g. "a fixed pool of 2 threads"
   */
  public String describe() {
    return switch (kind) {
      case VIRTUAL -> "one virtual thread per client";
      case PLATFORM -> "one platform thread per client";
      case POOL ->
          "a fixed pool of "
              + poolSize
              + " threads (client "
              + (poolSize + 1)
              + " waits for a free one)";
    };
  }

  @Override
  public String toString() {
    return kind == Kind.POOL ? "pool=" + poolSize : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
