package dev.socklab.client;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.LogOptions;
import dev.socklab.common.SocketCalls;
import dev.socklab.udp.Wire;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab udp-client discover}: UNP's dgclibcast (UNP 20.4): one DISCOVER datagram to a
 * broadcast address, then recvfrom(2) in a loop, collecting every answer until {@code --wait} is
 * over.
 *
 * <p>What it teaches: SO_BROADCAST must be set before sendto(2) to a broadcast address; one request
 * can have many replies, so the client cannot stop at the first; recvfrom(2) names the server that
 * sent each. Stevens ends the loop with alarm(2) and shows its race (UNP 20.5); here SO_RCVTIMEO is
 * set to the time left before each receive, which has none.
 */
@Command(
    name = "discover",
    mixinStandardHelpOptions = true,
    description = {
      "Broadcasts a DISCOVER datagram and lists every server that answers within --wait"
          + " (Stevens' dgclibcast), one line each.",
      ""
    },
    footer = "Exit codes: 0 at least one server answered, 1 none did, 2 usage error.")
final class UdpDiscover implements Callable<Integer> {
  @Option(
      names = "--broadcast",
      paramLabel = "ADDRESS[:PORT]",
      defaultValue = Defaults.LOOPBACK_BROADCAST + ":" + Defaults.UDP_PORT,
      description = "Where to ask (default: ${DEFAULT-VALUE}); a LAN needs e.g. 255.255.255.255.")
  String broadcast;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = Durations.class,
      description = "How long to collect answers (default: ${DEFAULT-VALUE}).")
  Duration wait;

  @Mixin LogOptions logging;

  @Spec CommandSpec spec;

  /**
   * Asks once and lists the servers that answered.
   *
   * @return {@link Cli#EXIT_OK} when at least one server answered, {@link Cli#EXIT_FAILURE} when
   *     none did or the request could not be sent
   * @throws IOException if the socket cannot be opened or receiving fails
   */
  @Override
  public Integer call() throws IOException {
    HostPort hp = Endpoints.parse(broadcast, Defaults.LOOPBACK_BROADCAST, Defaults.UDP_PORT);
    InetSocketAddress to = UdpClient.resolve(hp);
    byte[] ask = new Wire(Wire.Type.DISCOVER, 0, 0, System.currentTimeMillis(), Map.of()).encode();
    Map<String, String> found;
    SocketCalls calls = new SocketCalls(logging.apply());
    DatagramSocket socket = calls.udpSocket();
    try {
      calls.setsockopt(socket, StandardSocketOptions.SO_BROADCAST, true);
      try {
        calls.sendto(socket, ask, ask.length, to); // to the broadcast address: every server hears
      } catch (IOException e) {
        return fail("sendto " + hp + " failed: " + e.getMessage());
      }
      found = collectAnswers(calls, socket, System.nanoTime() + wait.toNanos());
    } finally {
      calls.close(socket);
    }
    if (found.isEmpty()) {
      return fail("no server answered at " + hp + " within " + Durations.format(wait));
    }
    PrintWriter out = spec.commandLine().getOut();
    found.values().forEach(out::println);
    out.printf("%d server(s) answered%n", found.size());
    return Cli.EXIT_OK;
  }

  /** recvfrom(2) until the deadline: one line per server (address and instance) that answered. */
  private static Map<String, String> collectAnswers(
      SocketCalls calls, DatagramSocket socket, long deadline) throws IOException {
    Map<String, String> found = new LinkedHashMap<>(); // address/instance -> its line
    byte[] buf = new byte[UdpClient.RECEIVE_BUFFER];
    DatagramPacket p;
    while ((p = UdpClient.receiveBy(socket, buf, deadline, calls)) != null) {
      Optional<Wire> msg = Wire.decode(ByteBuffer.wrap(buf, 0, p.getLength()));
      if (msg.isPresent() && msg.get().type() == Wire.Type.ANNOUNCE) {
        String from = Endpoints.format(p.getSocketAddress());
        String instance = msg.get().fields().getOrDefault("instance", "?");
        found.putIfAbsent(from + "/" + instance, UdpClient.describe(from, msg.get()));
      }
    }
    return found;
  }

  private int fail(String why) {
    spec.commandLine().getErr().println(UdpClient.who(spec) + ": " + why);
    return Cli.EXIT_FAILURE;
  }
}
