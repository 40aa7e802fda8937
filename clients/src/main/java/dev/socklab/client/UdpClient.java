package dev.socklab.client;

import dev.socklab.common.Cli;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.UserError;
import dev.socklab.udp.Wire;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab udp-client}: the parent of {@code send}, {@code listen} and {@code discover},
 * and the few helpers they share. It mirrors no single UNP function; it teaches that UDP has no
 * connection: each subcommand opens one {@link DatagramSocket} and moves whole datagrams with
 * sendto(2) and recvfrom(2).
 *
 * <p>Read in this order: {@link UdpSend} (UNP's dg_cli), {@link UdpSendRecv} (dg_send_recv: timeout
 * and retransmission), {@link UdpListen} (a recvfrom loop for broadcasts), {@link UdpDiscover}
 * (dgclibcast: one broadcast, many answers).
 */
@Command(
    name = "udp-client",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    description =
        "UDP client: send (and verify the echo), listen (for beacons), discover (servers).",
    subcommands = {UdpSend.class, UdpListen.class, UdpDiscover.class})
public final class UdpClient implements Runnable {
  /** The largest UDP payload over IPv4, in bytes: 65535 - 20 (IP header) - 8 (UDP header). */
  static final int MAX_PAYLOAD = 65_507;

  /** A receive buffer that holds any datagram: recvfrom(2) truncates what does not fit. */
  static final int RECEIVE_BUFFER = 65_536;

  @Spec CommandSpec spec;

  /**
   * {@code udp-client} alone: a usage error.
   *
   * @throws ParameterException always, naming the subcommands (exit 2)
   */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: send, listen or discover");
  }

  /**
   * What udp-client's own lines start with, e.g. {@code socklab udp-client}, as {@link Cli} starts
   * its error lines with a command's qualified name.
   */
  static String who(CommandSpec subcommand) {
    return subcommand.parent().qualifiedName();
  }

  /** A usage error (exit 2) that names the full command: {@code socklab udp-client send: ...}. */
  static ParameterException usage(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** getaddrinfo(3) for an IPv4 or IPv6 host; an unknown name is a {@link UserError}. */
  static InetSocketAddress resolve(HostPort hp) {
    try {
      return new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
    } catch (IOException e) {
      throw new UserError("unknown host '" + hp.host() + "': check the name, or use 127.0.0.1", e);
    }
  }

  /**
   * recvfrom(2) that gives up at a deadline. SO_RCVTIMEO is set to the time left before each
   * receive, so a loop that skips unwanted datagrams still ends on time (UNP 14.2).
   *
   * @param socket the socket to receive on
   * @param buf where the datagram's bytes go; a longer datagram is truncated to its length
   * @param deadline a {@link System#nanoTime()} value
   * @param calls makes and traces setsockopt and recvfrom
   * @return the datagram (its bytes in {@code buf}, its sender's address), or null once the
   *     deadline has passed
   * @throws IOException if the receive fails, e.g. ICMP port unreachable on a connected socket
   */
  static DatagramPacket receiveBy(
      DatagramSocket socket, byte[] buf, long deadline, SocketCalls calls) throws IOException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) {
      return null;
    }
    calls.setReadTimeout(socket, Duration.ofMillis(left)); // setsockopt(SO_RCVTIMEO)
    DatagramPacket got = new DatagramPacket(buf, buf.length);
    try {
      calls.recvfrom(socket, got); // one whole datagram and who sent it
    } catch (SocketTimeoutException e) {
      return null; // EAGAIN after SO_RCVTIMEO: the time is up
    }
    return got;
  }

  /**
   * One line for a beacon or an announcement: sender, type, sequence, clock, fields (by name).
   *
   * @param from the sender as {@code host:port}
   * @param m the decoded datagram
   * @return e.g. {@code 127.0.0.1:7007 BEACON seq=3 clock=2025-01-01T00:00:00Z name=socklab}
   */
  static String describe(String from, Wire m) {
    StringBuilder fields = new StringBuilder();
    new TreeMap<>(m.fields())
        .forEach(
            (k, v) -> fields.append(fields.isEmpty() ? "" : " ").append(k).append('=').append(v));
    return String.format(
        "%s %s seq=%d clock=%s %s",
        from, m.type(), m.sequence(), Instant.ofEpochMilli(m.clockMillis()), fields);
  }
}
