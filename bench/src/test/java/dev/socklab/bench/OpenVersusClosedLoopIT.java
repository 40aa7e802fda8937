package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.netty.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Coordinated omission, shown: against a server that stalls 200 ms every 500 ms, the open loop's
 * p99 shows the stall (each message is timed from when it was due), while the closed loop's does
 * not (it stops sending while the server stalls, so the stall is one slow sample per connection).
 * Both runs go against the same server, one after the other; only their ratio is asserted, never a
 * speed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenVersusClosedLoopIT {
  @Test
  void theOpenLoopSeesTheStallAndTheClosedLoopHidesIt() throws Exception {
    try (StallingEcho server = new StallingEcho(500, 200);
        Session session = new Session(Transport.AUTO, 1, Duration.ofSeconds(5))) {
      BenchTarget target = BenchTarget.parse(server.target());
      Row open = row(session, target, new EchoLoad(4, 64, 0, 2000, 1, true));
      Row closed = row(session, target, new EchoLoad(4, 64, 0, 0, 1, true));
      String both = "open: " + open + "\nclosed: " + closed;
      assertThat(open.ok()).as(both).isTrue();
      assertThat(closed.ok()).as(both).isTrue();
      long openP99 = open.percentile(99);
      assertThat(openP99).as(both).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
      assertThat(closed.percentile(99)).as(both).isLessThan(openP99 / 2);
    }
  }

  // One measured round of 1 s: it holds at least one whole stall wherever it starts.
  private static Row row(Session session, BenchTarget target, Load load)
      throws InterruptedException {
    Runner.Plan plan =
        new Runner.Plan(Duration.ZERO, Budget.of(Duration.ofSeconds(1)), 1, null, List.of(), 0);
    return new Runner(session, load, List.of(target), Map.of(), plan, new Runner.Listener() {})
        .run()
        .get(0);
  }
}
