package dev.socklab.client;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.LogOptions;
import dev.socklab.common.SocketCalls;
import dev.socklab.udp.Wire;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab udp-client listen}: the receiving side of UNP's broadcast examples (UNP 20.2):
 * bind a port on the wildcard address, then recvfrom(2) in a loop and print each beacon.
 *
 * <p>What it teaches: a broadcast reaches only sockets bound to the wildcard address (not to
 * 127.0.0.1); SO_REUSEADDR before bind(2) lets several listeners on one host share the port, and
 * each of them gets every broadcast (man 7 socket); recvfrom(2) names the sender of each datagram,
 * which is how a listener learns where the servers are.
 */
@Command(
    name = "listen",
    mixinStandardHelpOptions = true,
    description = "Prints each beacon received: sender, decoded header fields, text.")
final class UdpListen implements Callable<Integer> {
  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      defaultValue = "" + Defaults.BEACON_PORT,
      description = "UDP port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      defaultValue = "0",
      description = "Exit after N beacons (default: run until Ctrl-C).")
  int count;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "Exit (1) if no beacon comes for this long (default: wait forever).")
  Duration wait;

  @Mixin LogOptions logging;

  @Spec CommandSpec spec;

  /**
   * Listens and prints beacons.
   *
   * @return {@link Cli#EXIT_OK} after {@code --count} beacons, {@link Cli#EXIT_FAILURE} when none
   *     came within {@code --wait}
   * @throws picocli.CommandLine.ParameterException for an option out of range (exit 2)
   * @throws dev.socklab.common.UserError if the port cannot be bound (EACCES below 1024)
   * @throws IOException if receiving fails
   */
  @Override
  public Integer call() throws IOException {
    checkOptions();
    InetSocketAddress any = new InetSocketAddress(port); // wildcard: broadcasts only reach these
    SocketCalls calls = new SocketCalls(logging.apply());
    DatagramSocket socket = calls.udpSocket();
    try {
      // SO_REUSEADDR: several listeners may share the port, and each gets every broadcast.
      calls.setsockopt(socket, StandardSocketOptions.SO_REUSEADDR, true);
      calls.bind(socket, any); // a UserError in one line if the port is taken or privileged
      if (wait != null) {
        calls.setReadTimeout(socket, wait);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("udp-client listening for beacons on UDP port %d%n", socket.getLocalPort());
      return printBeacons(calls, socket, out);
    } finally {
      calls.close(socket);
    }
  }

  /** recvfrom(2) in a loop: one line per beacon, until {@code --count} or a timeout. */
  private int printBeacons(SocketCalls calls, DatagramSocket socket, PrintWriter out)
      throws IOException {
    byte[] buf = new byte[UdpClient.RECEIVE_BUFFER];
    for (int seen = 0; count == 0 || seen < count; ) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        calls.recvfrom(socket, p); // one whole datagram and who sent it
      } catch (SocketTimeoutException e) {
        spec.commandLine()
            .getErr()
            .println(UdpClient.who(spec) + ": no beacon within " + Durations.format(wait));
        return Cli.EXIT_FAILURE;
      }
      String from = Endpoints.format(p.getSocketAddress());
      Optional<Wire> msg = Wire.decode(ByteBuffer.wrap(buf, 0, p.getLength()));
      if (msg.isEmpty()) {
        out.printf("%s: %d bytes, not a socklab datagram%n", from, p.getLength());
        continue;
      }
      seen++;
      out.println(UdpClient.describe(from, msg.get()));
    }
    return Cli.EXIT_OK;
  }

  private void checkOptions() {
    if (port < 0 || port > 65_535) {
      throw UdpClient.usage(spec, "--port must be 0-65535, not " + port);
    }
    if (count < 0) {
      throw UdpClient.usage(spec, "--count must be 0 (no limit) or more, not " + count);
    }
    if (wait != null && wait.toMillis() < 1) {
      throw UdpClient.usage(spec, "--wait must be at least 1ms");
    }
  }
}
