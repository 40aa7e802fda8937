package dev.socklab.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The targets of the stream modes ({@code echo}, {@code conns}): {@code HOST:PORT}, {@code
 * unix:PATH} or {@code abstract:NAME} arguments, and {@code --unix}/{@code --abstract} options.
 */
final class StreamTargets {
  @Parameters(
      arity = "0..*",
      paramLabel = "[NAME=]ADDRESS",
      description =
          "Servers to measure: HOST:PORT, PORT (on localhost), unix:PATH or abstract:NAME; NAME="
              + " labels one in the table and chart (thread=localhost:7007).")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--unix",
      paramLabel = "PATH",
      description = "Also measure the echo server on this UNIX socket file.")
  List<Path> unix = new ArrayList<>();

  @Option(
      names = "--abstract",
      paramLabel = "NAME",
      description = "Also measure the echo server on @NAME in Linux's abstract namespace.")
  List<String> abstractNames = new ArrayList<>();

  /**
   * @return every target, in the order given: arguments, then --unix, then --abstract
   * @throws dev.socklab.common.UsageError if an address is malformed
   */
  List<BenchTarget> all() {
    List<BenchTarget> all = new ArrayList<>();
    targets.forEach(t -> all.add(BenchTarget.parse(t)));
    unix.forEach(p -> all.add(BenchTarget.unix(p)));
    abstractNames.forEach(n -> all.add(BenchTarget.abstractName(n)));
    return all;
  }
}
