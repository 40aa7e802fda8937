package dev.socklab.bench;

import dev.socklab.common.Durations;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code socklab bench conns}: many connections to stream echo servers, opened, verified, held. */
@Command(
    name = "conns",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Opens --conns connections to echo servers (RFC 862), TCP or UNIX sockets, echoes one"
          + " verified message on each, holds them all open for --hold watching for any the"
          + " server closes, then closes them. Latency is per connection, from connect(2) to"
          + " its echo; throughput is connections established and verified per second.",
      "",
      "--duration and --count do not apply: each round is --conns connections. Each"
          + " connection is a descriptor on both sides: mind ulimit -n.",
      ""
    })
final class ConnsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  @Mixin StreamTargets targets;

  @Option(
      names = "--conns",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Connections, 1 or more (default: ${DEFAULT-VALUE}).")
  int conns;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      defaultValue = "16",
      description = "Message size, 16 bytes to 1 MiB (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--hold",
      paramLabel = "TIME",
      defaultValue = "1s",
      converter = Durations.class,
      description = "Hold every connection open this long after its echo (default: 1s).")
  Duration hold;

  @Override
  public Integer call() throws Exception {
    return run.execute(spec, new ConnsLoad(conns, size, hold, true), targets.all());
  }
}
