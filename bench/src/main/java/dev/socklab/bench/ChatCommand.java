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

/** {@code socklab bench chat}: lines through a chat relay, each to every other member. */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Lines through a chat relay that sends each line to every other member (socklab's"
          + " chat-server, a select() chat). Each line carries a tag: sender, sequence number,"
          + " send time and a CRC-32C; every member checks that every other member's lines"
          + " arrive once, in order and unchanged. Lines without the tag (server notices) and a"
          + " prefix before it ([nick] ) are ignored.",
      "",
      "The members first say hello until each has seen every other's; then lines flow. Closed"
          + " loop (default): each member keeps --window lines not yet delivered to all. Open"
          + " loop (--rate): lines are due at fixed times, and latency counts from when each was"
          + " due. Throughput counts deliveries (one line reaching one member).",
      ""
    })
final class ChatCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  @Parameters(
      arity = "0..*",
      paramLabel = "[NAME=]ADDRESS",
      description =
          "Chat servers to measure: HOST:PORT or PORT (on localhost); NAME= labels one in the table"
              + " and chart (selector=localhost:7070).")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--clients",
      paramLabel = "N",
      defaultValue = "20",
      description = "Members, 2 to 2000 (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      defaultValue = "64",
      description = "Line size with its \\n, 48 to 4096 bytes (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--rate",
      paramLabel = "N/s",
      converter = RunOptions.RateConverter.class,
      description = "Open loop: N lines per second over all members (e.g. 2000/s).")
  long rate;

  @Option(
      names = "--window",
      paramLabel = "N",
      description =
          "Lines per member not yet delivered to every other (default: 16; 1024 in an open loop).")
  int window;

  @Override
  public Integer call() throws Exception {
    List<BenchTarget> all = new ArrayList<>();
    targets.forEach(t -> all.add(inet(BenchTarget.parse(t), "chat")));
    return run.execute(spec, new ChatLoad(clients, size, rate, window), all);
  }

  /**
   * @param t a parsed target
   * @param mode the mode's name, for the message
   * @return {@code t}, if it is a HOST:PORT
   * @throws dev.socklab.common.UsageError if it is a UNIX socket
   */
  static BenchTarget inet(BenchTarget t, String mode) {
    if (t.isUnix()) {
      throw new dev.socklab.common.UsageError(
          "bench " + mode + " measures HOST:PORT servers, not " + t.where());
    }
    return t;
  }
}
