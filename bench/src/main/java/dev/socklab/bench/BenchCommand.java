package dev.socklab.bench;

import dev.socklab.common.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab bench MODE TARGET...}: measures servers (socklab's, a C reference, a student's)
 * side by side, verifying every byte that comes back.
 *
 * <p>Read in this order: {@link EchoLoad} and {@link EchoConnection} (the closed and open loops),
 * {@link Payload} (how a reply is verified), {@link Runner} (warm-up, interleaved rounds, sweeps),
 * {@link Row} (medians, failures, and when not to trust a number).
 */
@Command(
    name = "socklab bench",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    usageHelpAutoWidth = true,
    description = {
      "Measures servers side by side: throughput and latency percentiles, every reply verified"
          + " byte for byte. A server that changes, loses or duplicates data fails the run (exit"
          + " 1) with the count; its throughput is never printed as a result.",
      "",
      "Several targets are measured in interleaved rounds (A B A B ...) after a warm-up each,"
          + " and the table gives each one's ratio to the first. --sweep repeats the run for"
          + " each value of one parameter; --chart draws every target on the same axes.",
      "",
      "bench start measures the other end of a server's life: how long each command takes"
          + " from exec(2) to its listening banner.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./socklab bench echo localhost:7007 --conns 50 --size 64 --duration 10s",
      "  ./socklab bench echo thread=localhost:7007 uds=unix:/tmp/echo.sock",
      "  ./socklab bench echo a=7007 b=7008 --sweep conns=1,10,100,1000 --chart out.png",
      "  ./socklab bench echo localhost:7007 --rate 20000/s   (open loop)",
      "  ./socklab bench chat localhost:7070 --clients 20 --rate 2000/s",
      "  ./socklab bench udp localhost:7007 --window 16 --size 64",
      "  ./socklab bench conns localhost:7007 --conns 10000",
      "  ./socklab bench start echo='./socklab echo-server --port 0'   (exec to banner)",
      "Exit codes: 0 measured, 1 a target failed (mismatch, loss, timeout) or cannot be reached,"
          + " 2 usage error."
    },
    subcommands = {
      EchoCommand.class,
      ChatCommand.class,
      UdpCommand.class,
      ConnsCommand.class,
      StartCommand.class
    })
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  /**
   * {@code bench} alone: a usage error.
   *
   * @throws ParameterException always, naming the modes (exit 2)
   */
  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "name a mode: echo, chat, udp, conns or start");
  }

  /**
   * Runs {@code socklab bench}.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    Cli.main(new BenchCommand(), args);
  }
}
