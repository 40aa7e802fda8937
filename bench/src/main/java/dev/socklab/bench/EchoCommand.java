package dev.socklab.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code socklab bench echo}: round trips through stream echo servers, TCP or UNIX sockets. */
@Command(
    name = "echo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Round trips through echo servers (RFC 862), TCP or UNIX sockets. Each connection sends"
          + " messages carrying a sequence number and a CRC-32C, and checks every byte that"
          + " comes back.",
      "",
      "Closed loop (default): each connection keeps --pipeline messages in flight, so the"
          + " server sets the pace. Open loop (--rate): messages are due at fixed times whatever"
          + " the server does, and latency counts from when each was due, so a server that"
          + " stalls shows the stall (coordinated omission, as wrk2 measures it).",
      ""
    })
final class EchoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  @Mixin StreamTargets targets;

  @Option(
      names = "--conns",
      paramLabel = "N",
      defaultValue = "50",
      description = "Connections, 1 or more (default: ${DEFAULT-VALUE}).")
  int conns;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      defaultValue = "64",
      description = "Message size, 16 bytes to 16 MiB (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--pipeline",
      paramLabel = "N",
      description =
          "Messages in flight per connection (default: 1 in a closed loop, 1024 in an open one).")
  int pipeline;

  @Option(
      names = "--rate",
      paramLabel = "N/s",
      converter = RunOptions.RateConverter.class,
      description = "Open loop: N messages per second over all connections (e.g. 20000/s).")
  long rate;

  @Option(
      names = "--split-writes",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Write each message in N pieces, each its own write(2), then wait for the echo: with"
              + " Nagle on (--no-nodelay, or a server's), the delayed-ACK stall (default: 1).")
  int splitWrites;

  @Option(
      names = "--nodelay",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "TCP_NODELAY on bench's sockets; --no-nodelay leaves Nagle's algorithm on (default: on).")
  boolean noDelay;

  @Override
  public Integer call() throws Exception {
    EchoLoad load = new EchoLoad(conns, size, pipeline, rate, splitWrites, noDelay);
    return run.execute(spec, load, targets.all());
  }
}
