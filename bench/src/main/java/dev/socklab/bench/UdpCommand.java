package dev.socklab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code socklab bench udp}: datagrams through UDP echo servers. */
@Command(
    name = "udp",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Datagrams through UDP echo servers (RFC 862 over UDP). Each datagram carries a sequence"
          + " number and a CRC-32C; replies may come in any order, and each is verified.",
      "",
      "UDP may lose datagrams: one not answered within --timeout (default 500ms here) counts"
          + " as lost and the window moves on; the run fails if more than --max-loss (default"
          + " 1%%) is lost. A reply that comes after its datagram was counted lost is counted as"
          + " late. Closed loop (default): --window datagrams outstanding. Open loop (--rate):"
          + " datagrams are due at fixed times, and latency counts from when each was due.",
      ""
    })
final class UdpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  @Parameters(
      arity = "0..*",
      paramLabel = "[NAME=]ADDRESS",
      description =
          "UDP echo servers to measure: HOST:PORT or PORT (on localhost); NAME= labels one in the"
              + " table and chart.")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--window",
      paramLabel = "N",
      defaultValue = "16",
      description = "Datagrams outstanding, 1 to 65536 (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      defaultValue = "64",
      description = "Datagram size, 16 to 65507 bytes (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--rate",
      paramLabel = "N/s",
      converter = RunOptions.RateConverter.class,
      description = "Open loop: N datagrams per second (e.g. 20000/s).")
  long rate;

  @Override
  public Integer call() throws Exception {
    List<BenchTarget> all = new ArrayList<>();
    targets.forEach(t -> all.add(ChatCommand.inet(BenchTarget.parse(t), "udp")));
    return run.execute(spec, new UdpLoad(window, size, rate), all);
  }
}
