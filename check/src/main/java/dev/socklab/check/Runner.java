package dev.socklab.check;

import dev.socklab.common.NetErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs cases one after another, each on its own thread under a hard deadline (a server that hangs a
 * case cannot hang the checker), and turns whatever a case does into one {@link Result}.
 */
final class Runner {
  /** The longest a case may run, before {@code --timeout-scale}: a safety net, not a budget. */
  static final Duration CASE_LIMIT = Duration.ofSeconds(120);

  /**
   * One case's result.
   *
   * @param checkCase the case
   * @param outcome its verdict
   * @param took how long it ran
   * @param transcript the bytes exchanged, with {@code --verbose} on a failure; else empty
   */
  record Result(CheckCase checkCase, Outcome outcome, Duration took, List<String> transcript) {}

  private Runner() {}

  /**
   * @param cases what to run, in order
   * @param target the server
   * @param options the command line's options
   * @param launched the server {@code --exec} started, or null
   * @param each called with every result as soon as it is known (the text report prints it)
   * @return every result, in order
   */
  static List<Result> run(
      List<CheckCase> cases,
      Target target,
      Probe.Options options,
      Launched launched,
      Consumer<Result> each) {
    List<Result> results = new ArrayList<>();
    for (CheckCase c : cases) {
      Result r = runOne(c, target, options, launched);
      results.add(r);
      each.accept(r);
    }
    return results;
  }

  private static Result runOne(
      CheckCase c, Target target, Probe.Options options, Launched launched) {
    if (c.lifecycle() && launched == null) {
      return new Result(
          c,
          Outcome.skip("needs --exec: check must start the server itself"),
          Duration.ZERO,
          List.of());
    }
    long t0 = System.nanoTime();
    Probe probe = new Probe(target, options, launched, c.name());
    FutureTask<Outcome> task = new FutureTask<>(() -> c.body().run(probe));
    Thread thread = Thread.ofVirtual().name("case-" + c.name()).start(task);
    Duration limit = probe.scaled(CASE_LIMIT);
    Outcome outcome;
    try {
      outcome = task.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      thread.interrupt();
      outcome =
          Outcome.fail(
              "the case to end within " + Probe.seconds(limit),
              "it was still waiting on the server",
              c.hint());
    } catch (ExecutionException e) {
      outcome = failure(c, e.getCause(), probe);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = Outcome.skip("interrupted");
    } finally {
      probe.close(); // also ends a case thread blocked on one of its sockets
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    List<String> transcript =
        outcome.status() == Outcome.Status.FAIL ? probe.transcript() : List.of();
    return new Result(c, outcome, took, transcript);
  }

  // A CaseFailed is a verdict; any other exception is a failure of the server's I/O (say which,
  // and whether the server --exec started died: a client's ECONNRESET may be the server's death,
  // e.g. by SIGPIPE, that the case had not looked for yet).
  private static Outcome failure(CheckCase c, Throwable e, Probe probe) {
    if (e instanceof CaseFailed f) {
      return f.outcome(c.hint());
    }
    NetErrors.Errno errno = NetErrors.errno(e);
    String what = NetErrors.message(e);
    return Outcome.fail(
        c.proves(), (errno == null ? "" : errno + ": ") + what + EchoIo.gone(probe), c.hint());
  }
}
