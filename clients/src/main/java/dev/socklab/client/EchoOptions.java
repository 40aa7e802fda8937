package dev.socklab.client;

import dev.socklab.common.Durations;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The scripted-mode options shared by echo-client and uds-client. */
final class EchoOptions {
  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      defaultValue = "0",
      description = "Scripted mode: send N messages and verify each echo (default: interactive).")
  int count;

  @Option(
      names = {"-s", "--size"},
      paramLabel = "BYTES",
      defaultValue = "64",
      description = "Bytes per message in scripted mode, 1-16777216 (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = Durations.class,
      description = "Scripted mode: how long to wait for each echo (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Seed of the pseudo-random payload in scripted mode (default: ${DEFAULT-VALUE}).")
  long seed;

  /**
   * @param command the command, for a usage error that names it
   * @throws CommandLine.ParameterException if --count or --size is out of range
   */
  void validate(CommandSpec command) {
    if (count < 0) {
      throw new CommandLine.ParameterException(
          command.commandLine(), "--count must be 0 (interactive) or more, not " + count);
    }
    if (size < 1 || size > 1 << 24) {
      throw new CommandLine.ParameterException(
          command.commandLine(), "--size must be 1-16777216 bytes, not " + size);
    }
  }
}
