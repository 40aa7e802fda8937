package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.socklab.netty.Transport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void withoutATerminalItPrintsNothing() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (Session session = new Session(Transport.NIO, 1, Duration.ofSeconds(1))) {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      try (Progress p = Progress.start(true, Fixtures.plan(true), 2, session)) {
        p.roundStarts(Fixtures.A, 1L, true);
        session.progress().add(100);
        // Nothing may be printed: only waiting through refreshes can show that.
        Thread.sleep(2 * Progress.REFRESH_MILLIS);
        p.pause();
        p.resume();
      }
    } finally {
      System.setErr(stderr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void theBarDrawsWithoutATerminalWhenToldToAndClearsItsLine() throws Exception {
    // JLine (progressbar's terminal library) is never asked for the width: no terminal needed.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    try (Session session = new Session(Transport.NIO, 1, Duration.ofSeconds(1));
        Progress p = Progress.drawingOn(Fixtures.plan(true), 2, session, print)) {
      p.roundStarts(Fixtures.A, 10L, false);
      session.progress().add(1000);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> out.toString(StandardCharsets.UTF_8).contains("ops/s"));
      p.pause();
      String paused = out.toString(StandardCharsets.UTF_8);
      assertThat(paused).contains("bench", "a round 1/3, conns=10", "ops/s").endsWith("\r");
      // Nothing may be drawn while paused: only waiting through refreshes can show that.
      Thread.sleep(2 * Progress.REFRESH_MILLIS);
      assertThat(out.toString(StandardCharsets.UTF_8)).as("nothing while paused").isEqualTo(paused);
      p.resume();
    }
    String all = out.toString(StandardCharsets.UTF_8);
    assertThat(all).as("one line, redrawn after \\r").doesNotContain("\n").endsWith("\r");
  }
}
