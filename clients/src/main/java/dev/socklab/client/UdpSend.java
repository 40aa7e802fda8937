package dev.socklab.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.LogOptions;
import dev.socklab.common.NetErrors;
import dev.socklab.common.NetErrors.Errno;
import dev.socklab.common.SocketCalls;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab udp-client send}: UNP's dg_cli (UNP 8.6). For each datagram, one request to a
 * UDP echo server and one reply, which must be the same bytes. The exchange itself, with its
 * timeout and retransmission, is {@link UdpSendRecv#sendRecv} (UNP's dg_send_recv).
 *
 * <p>What it teaches: a UDP client has no connection to lose, only datagrams; it must decide on its
 * own how long to wait and when to ask again. {@code --connect} shows connect(2) on a UDP socket:
 * the kernel then drops datagrams from anyone else and reports ICMP port unreachable (ECONNREFUSED)
 * instead of letting the client time out. {@code --broadcast} shows SO_BROADCAST: without it,
 * sendto(2) to a broadcast address fails with EACCES.
 */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Sends datagrams to a UDP echo server and checks each reply byte for byte. UDP loses"
          + " datagrams: a reply that does not come within --timeout is asked for again, up to"
          + " --retries times.",
      ""
    },
    footer = {
      "",
      "Examples:  ./socklab udp-client send localhost:7007 hello",
      "           ./socklab udp-client send 127.0.0.1:7007 --size 65507 --count 10",
      "Exit codes: 0 every reply verified, 1 no reply / mismatch / error, 2 usage error."
    })
final class UdpSend implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "[HOST:]PORT",
      defaultValue = "localhost:" + Defaults.UDP_PORT,
      description = "Server (default: ${DEFAULT-VALUE}).")
  String target;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "TEXT",
      description = "Send TEXT (UTF-8) instead of random bytes.")
  String text;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      defaultValue = "1",
      description = "Datagrams to send (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = {"-s", "--size"},
      paramLabel = "BYTES",
      defaultValue = "64",
      description = "Bytes of random payload per datagram, 0-65507 (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = Durations.class,
      description = "How long to wait for each reply (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "3",
      description = "Retransmissions after a timeout (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(
      names = "--connect",
      description =
          "Use a connected UDP socket: replies from anyone else are dropped by the"
              + " kernel, and an ICMP port unreachable becomes an error instead of a timeout.")
  boolean connect;

  @Option(
      names = "--broadcast",
      description = "Set SO_BROADCAST, needed to send to a broadcast address.")
  boolean broadcast;

  @Mixin LogOptions logging;

  @Spec CommandSpec spec;

  /**
   * Sends {@code --count} datagrams and verifies each echo.
   *
   * @return {@link Cli#EXIT_OK} when every reply matched, {@link Cli#EXIT_FAILURE} otherwise
   * @throws picocli.CommandLine.ParameterException for an option out of range (exit 2)
   * @throws IOException if the socket cannot be opened or set up
   */
  @Override
  public Integer call() throws IOException {
    checkOptions();
    SocketCalls calls = new SocketCalls(logging.apply());
    HostPort hp = Endpoints.parse(target, "localhost", Defaults.UDP_PORT);
    InetSocketAddress to = UdpClient.resolve(hp);
    DatagramSocket socket = calls.udpSocket(); // the first sendto(2) binds an ephemeral port
    try {
      calls.setsockopt(socket, StandardSocketOptions.SO_BROADCAST, broadcast);
      if (connect) {
        calls.connect(socket, to); // on UDP: fixes the peer, no packet is sent
      }
      return dgCli(
          new UdpSendRecv(socket, to, hp.toString(), timeout, retries, calls, this::report), hp);
    } finally {
      calls.close(socket);
    }
  }

  /** UNP's dg_cli: each request out, its reply back and compared, until {@code --count}. */
  private int dgCli(UdpSendRecv exchange, HostPort hp) {
    PrintWriter out = spec.commandLine().getOut();
    SplittableRandom random = new SplittableRandom(1); // the same bytes on every run
    for (int n = 1; n <= count; n++) {
      byte[] request = text != null ? text.getBytes(UTF_8) : randomBytes(random);
      Optional<byte[]> reply;
      try {
        reply = exchange.sendRecv(request, n);
      } catch (IOException e) {
        return fail(whyFailed(e, hp));
      }
      if (reply.isEmpty()) {
        return fail(noReply(hp));
      }
      if (!Arrays.equals(reply.get(), request)) {
        return fail(
            String.format(
                "datagram %d: the reply (%d bytes) differs from what was sent (%d bytes)",
                n, reply.get().length, request.length));
      }
      if (text != null) {
        out.println(new String(reply.get(), UTF_8));
      }
    }
    int bytes = text != null ? text.getBytes(UTF_8).length : size;
    out.printf(
        "%s: %d datagram(s) of %d bytes to %s: all echoed and verified%n",
        UdpClient.who(spec), count, bytes, hp);
    return Cli.EXIT_OK;
  }

  private void checkOptions() {
    if (size < 0 || size > UdpClient.MAX_PAYLOAD) {
      throw UdpClient.usage(
          spec, "--size must be 0-65507 bytes (the IPv4 UDP maximum), not " + size);
    }
    if (text != null && text.getBytes(UTF_8).length > UdpClient.MAX_PAYLOAD) {
      throw UdpClient.usage(
          spec,
          "TEXT is "
              + text.getBytes(UTF_8).length
              + " bytes in UTF-8; one UDP datagram holds at most 65507");
    }
    if (count < 1) {
      throw UdpClient.usage(spec, "--count must be 1 or more, not " + count);
    }
    if (retries < 0) {
      throw UdpClient.usage(spec, "--retries must be 0 or more, not " + retries);
    }
    if (timeout.toMillis() < 1) {
      throw UdpClient.usage(spec, "--timeout must be at least 1ms");
    }
  }

  private byte[] randomBytes(SplittableRandom random) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The errno behind a failed exchange, in words (man 2 sendto, man 7 udp). */
  private static String whyFailed(IOException e, HostPort hp) {
    if (NetErrors.is(e, Errno.ECONNREFUSED)) { // ICMP port unreachable, on a connected socket
      return "no UDP server at "
          + hp
          + " (ICMP port unreachable) — start one with "
          + Defaults.UDP_SERVER_COMMAND
          + (hp.port() == Defaults.UDP_PORT ? "" : " --port " + hp.port());
    }
    if (NetErrors.is(e, Errno.EACCES)) { // sendto(2) to a broadcast address without SO_BROADCAST
      return "sendto "
          + hp
          + " was refused (EACCES): it is a broadcast address, and sending to one"
          + " needs SO_BROADCAST — add --broadcast";
    }
    return "sendto/recvfrom " + hp + " failed: " + e.getMessage();
  }

  private String noReply(HostPort hp) {
    return "no reply from "
        + hp
        + " after "
        + (retries + 1)
        + " tries of "
        + Durations.format(timeout)
        + " — is a UDP server running there? ("
        + Defaults.UDP_SERVER_COMMAND
        + ")";
  }

  private void report(String line) {
    spec.commandLine().getErr().println(UdpClient.who(spec) + ": " + line);
  }

  private int fail(String why) {
    report(why);
    return Cli.EXIT_FAILURE;
  }
}
