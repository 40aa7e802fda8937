package dev.socklab.client;

import dev.socklab.common.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of socklab's clients: {@code ./socklab echo-client ...} runs {@code java -jar
 * clients.jar echo-client ...}.
 */
@Command(
    name = "socklab",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    description = "socklab's clients; each talks to one of socklab's servers (or to yours).",
    subcommands = {EchoClient.class, ChatClient.class, UdpClient.class, UdsClient.class})
public final class ClientMain implements Runnable {
  @Spec CommandSpec spec;

  /**
   * @param args a client's name and its arguments, e.g. {@code echo-client localhost:7007}
   */
  public static void main(String[] args) {
    Cli.main(new ClientMain(), args);
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a client, e.g. echo-client");
  }
}
