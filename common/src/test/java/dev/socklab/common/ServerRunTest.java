package dev.socklab.common;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The life of a server process: a signal ends it with 0, a loop that dies ends it with 1. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerRunTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Signals signals = Signals.manual();
  private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
  private final AtomicBoolean stopped = new AtomicBoolean();

  private int run() throws Exception {
    return ServerRun.untilSignalled(
        "test-server",
        () ->
            new ServerRun.Started(
                "test-server listening",
                failure,
                () -> {
                  stopped.set(true);
                  return "2 clients served";
                }),
        signals,
        new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8));
  }

  @Test
  void aLoopThatDiesStopsTheServerAndExitsOneWithOneLine() throws Exception {
    failure.complete(new IOException("accept() failed: Socket closed"));
    assertThat(run()).isEqualTo(Cli.EXIT_FAILURE);
    assertThat(stopped).isTrue();
    assertThat(err.toString(UTF_8))
        .isEqualTo(
            "socklab test-server: the server failed and exits: accept() failed: Socket closed"
                + System.lineSeparator());
    assertThat(out.toString(UTF_8)).isEqualTo("test-server listening" + System.lineSeparator());
  }

  @Test
  void aRequestedStopExitsZeroWithTheSummary() throws Exception {
    signals.request();
    assertThat(run()).isEqualTo(Cli.EXIT_OK);
    assertThat(err.toString(UTF_8)).isEmpty();
    assertThat(out.toString(UTF_8))
        .startsWith("test-server listening" + System.lineSeparator())
        .contains("test-server stopped (request): 2 clients served, up ");
  }

  @Test
  void aSummaryCountsInTheSingularForOneOnly() {
    assertThat(ServerRun.count(1, "client", "clients")).isEqualTo("1 client");
    assertThat(ServerRun.count(0, "client", "clients")).isEqualTo("0 clients");
    assertThat(ServerRun.count(2, "discovery", "discoveries")).isEqualTo("2 discoveries");
  }
}
