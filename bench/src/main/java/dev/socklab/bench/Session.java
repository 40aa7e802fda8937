package dev.socklab.bench;

import dev.socklab.netty.Transport;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every round of a run shares: bench's own event loops (created once, so that rounds do not
 * pay for them), the reply timeout, and the live counter the progress bar reads.
 */
final class Session implements AutoCloseable {
  private final Transport transport;
  private final MultiThreadIoEventLoopGroup group;
  private final Duration timeout;
  private final long[] loopThreadIds;
  private final LongAdder progress = new LongAdder();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  /**
   * @param transport epoll, io_uring or NIO (resolved)
   * @param loops number of event-loop threads, 1 or more
   * @param timeout the longest wait for a reply before it counts as lost
   * @throws InterruptedException if interrupted while starting the loops
   */
  Session(Transport transport, int loops, Duration timeout) throws InterruptedException {
    this.transport = transport.resolveFastest();
    this.group = this.transport.newGroup(loops);
    this.timeout = timeout;
    List<Long> ids = new ArrayList<>();
    for (EventExecutor loop : group) {
      try {
        ids.add(loop.submit(() -> Thread.currentThread().threadId()).get());
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }
    this.loopThreadIds = ids.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * @return the resolved transport
   */
  Transport transport() {
    return transport;
  }

  /**
   * @return the event-loop group every connection registers with
   */
  MultiThreadIoEventLoopGroup group() {
    return group;
  }

  /**
   * @return the longest wait for a reply
   */
  Duration timeout() {
    return timeout;
  }

  /**
   * @return the counter of operations done, read by the progress bar
   */
  LongAdder progress() {
    return progress;
  }

  /**
   * @return the CPU time each loop thread has used so far, in ns, in loop order
   */
  long[] loopCpuNanos() {
    long[] cpu = new long[loopThreadIds.length];
    for (int i = 0; i < cpu.length; i++) {
      cpu[i] = threads.getThreadCpuTime(loopThreadIds[i]);
    }
    return cpu;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
