package dev.socklab.client;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.LogOptions;
import dev.socklab.common.Trace;
import dev.socklab.common.UserError;
import dev.socklab.udp.Wire;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./socklab udp-client}: send datagrams and check the echo, listen for beacons, discover
 * servers. Uses {@link DatagramSocket}: sendto(2)/recvfrom(2) with a receive timeout.
 */
@Command(
    name = "udp-client",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    description =
        "UDP client: send (and verify the echo), listen (for beacons), discover (servers).",
    subcommands = {UdpClient.Send.class, UdpClient.Listen.class, UdpClient.Discover.class})
public final class UdpClient implements Runnable {
  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "name a subcommand: send, listen or discover");
  }

  private static InetSocketAddress resolve(HostPort hp) {
    try {
      return new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
    } catch (IOException e) {
      throw new UserError("unknown host '" + hp.host() + "': check the name, or use 127.0.0.1", e);
    }
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  /** {@code udp-client send}: datagrams out, echoes verified, lost ones retransmitted. */
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
  static final class Send implements Callable<Integer> {
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

    private final PrintStream out;
    private final PrintStream err;

    Send() {
      this(System.out, System.err);
    }

    Send(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() throws IOException {
      if (size < 0 || size > 65_507) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this),
            "--size must be 0-65507 bytes (the IPv4 UDP maximum), not " + size);
      }
      Trace trace = logging.apply();
      HostPort hp = Endpoints.parse(target, "localhost", Defaults.UDP_PORT);
      InetSocketAddress to = resolve(hp);
      SplittableRandom random = new SplittableRandom(1);
      try (DatagramSocket socket =
          new DatagramSocket()) { // socket(AF_INET, SOCK_DGRAM) + bind(any)
        trace.call("socket(AF_INET, SOCK_DGRAM)");
        socket.setBroadcast(broadcast); // setsockopt(SO_BROADCAST)
        socket.setSoTimeout(millis(timeout)); // SO_RCVTIMEO
        if (connect) {
          socket.connect(to); // connect(2) on UDP: fixes the peer, no packet is sent
          trace.call("connect(" + Endpoints.format(to) + ")");
        }
        byte[] reply = new byte[65_536];
        for (int i = 1; i <= count; i++) {
          byte[] payload;
          if (text != null) {
            payload = text.getBytes(StandardCharsets.UTF_8);
          } else {
            payload = new byte[size];
            random.nextBytes(payload);
          }
          int tries = 0;
          while (true) {
            tries++;
            try {
              socket.send(new DatagramPacket(payload, payload.length, to)); // sendto(2)
            } catch (IOException e) {
              return fail(sendError(e, hp));
            }
            trace.call("sendto(" + Endpoints.format(to) + ", " + payload.length + " bytes)");
            DatagramPacket got = new DatagramPacket(reply, reply.length);
            try {
              long deadline = System.nanoTime() + timeout.toNanos();
              while (true) {
                got.setLength(reply.length); // receive() shrank it to the last datagram
                socket.receive(got); // recvfrom(2)
                trace.call(
                    "recvfrom() -> "
                        + got.getLength()
                        + " bytes from "
                        + Endpoints.format(got.getSocketAddress()));
                if (got.getSocketAddress().equals(to)) {
                  break;
                }
                err.println(
                    "udp-client: ignored a datagram from "
                        + Endpoints.format(got.getSocketAddress())
                        + " (not "
                        + hp
                        + ")");
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
                if (left <= 0) {
                  throw new SocketTimeoutException();
                }
                socket.setSoTimeout(left);
              }
              socket.setSoTimeout(millis(timeout));
            } catch (PortUnreachableException e) {
              return fail(
                  "no UDP server at "
                      + hp
                      + " (ICMP port unreachable) — start one with "
                      + Defaults.UDP_SERVER_COMMAND
                      + (hp.port() == Defaults.UDP_PORT ? "" : " --port " + hp.port()));
            } catch (SocketTimeoutException e) {
              socket.setSoTimeout(millis(timeout));
              if (tries <= retries) {
                err.println(
                    "udp-client: no reply to datagram "
                        + i
                        + " within "
                        + Durations.format(timeout)
                        + ", sending again ("
                        + tries
                        + "/"
                        + retries
                        + ")");
                continue;
              }
              return fail(
                  "no reply from "
                      + hp
                      + " after "
                      + tries
                      + " tries of "
                      + Durations.format(timeout)
                      + " — is a UDP server running there? ("
                      + Defaults.UDP_SERVER_COMMAND
                      + ")");
            }
            byte[] echoed = Arrays.copyOf(reply, got.getLength());
            if (!Arrays.equals(echoed, payload)) {
              return fail(
                  "datagram "
                      + i
                      + ": the reply ("
                      + echoed.length
                      + " bytes) differs from what was sent ("
                      + payload.length
                      + " bytes)");
            }
            if (text != null) {
              out.println(new String(echoed, StandardCharsets.UTF_8));
            }
            break;
          }
        }
        out.printf(
            "udp-client: %d datagram(s) of %d bytes to %s: all echoed and verified%n",
            count, text != null ? text.getBytes(StandardCharsets.UTF_8).length : size, hp);
        return Cli.EXIT_OK;
      }
    }

    private String sendError(IOException e, HostPort hp) {
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("permission denied")) {
        return "sendto "
            + hp
            + " was refused (EACCES): it is a broadcast address, and sending to one"
            + " needs SO_BROADCAST — add --broadcast";
      }
      return "sendto " + hp + " failed: " + e.getMessage();
    }

    private int fail(String why) {
      err.println("udp-client: " + why);
      return Cli.EXIT_FAILURE;
    }
  }

  /** {@code udp-client listen}: prints each beacon. */
  @Command(
      name = "listen",
      mixinStandardHelpOptions = true,
      description = "Prints each beacon received: sender, decoded header fields, text.")
  static final class Listen implements Callable<Integer> {
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

    @Override
    public Integer call() throws IOException {
      try (DatagramSocket socket = new DatagramSocket(null)) {
        socket.setReuseAddress(true); // several listeners on one host each get every broadcast
        socket.bind(new InetSocketAddress(port)); // wildcard: broadcasts only reach wildcard binds
        if (wait != null) {
          socket.setSoTimeout(millis(wait));
        }
        System.out.printf(
            "udp-client listening for beacons on UDP port %d%n", socket.getLocalPort());
        System.out.flush();
        byte[] buf = new byte[65_536];
        for (int seen = 0; count == 0 || seen < count; ) {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          try {
            socket.receive(p); // recvfrom(2)
          } catch (SocketTimeoutException e) {
            System.err.println("udp-client: no beacon within " + Durations.format(wait));
            return Cli.EXIT_FAILURE;
          }
          var msg = Wire.decode(ByteBuffer.wrap(buf, 0, p.getLength()));
          if (msg.isEmpty()) {
            System.out.printf(
                "%s: %d bytes, not a socklab datagram%n",
                Endpoints.format(p.getSocketAddress()), p.getLength());
            continue;
          }
          seen++;
          System.out.println(describe(Endpoints.format(p.getSocketAddress()), msg.get()));
          System.out.flush();
        }
        return Cli.EXIT_OK;
      }
    }
  }

  static String describe(String from, Wire m) {
    return String.format(
        "%s %s seq=%d clock=%s %s",
        from,
        m.type(),
        m.sequence(),
        Instant.ofEpochMilli(m.clockMillis()),
        fieldsText(m.fields()));
  }

  private static String fieldsText(Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    new java.util.TreeMap<>(fields)
        .forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
    return b.toString();
  }

  /** {@code udp-client discover}: broadcast DISCOVER, list who answers. */
  @Command(
      name = "discover",
      mixinStandardHelpOptions = true,
      description = {
        "Broadcasts a DISCOVER datagram and lists every server that answers within --wait"
            + " (Stevens' dgclibcast), one line each.",
        ""
      },
      footer = "Exit codes: 0 at least one server answered, 1 none did, 2 usage error.")
  static final class Discover implements Callable<Integer> {
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

    @Override
    public Integer call() throws IOException {
      HostPort hp = Endpoints.parse(broadcast, Defaults.LOOPBACK_BROADCAST, Defaults.UDP_PORT);
      InetSocketAddress to = resolve(hp);
      Map<String, String> found = new LinkedHashMap<>(); // instance -> line
      try (DatagramSocket socket = new DatagramSocket()) {
        socket.setBroadcast(true); // SO_BROADCAST
        byte[] ask =
            new Wire(Wire.Type.DISCOVER, 0, 0, System.currentTimeMillis(), Map.of()).encode();
        socket.send(new DatagramPacket(ask, ask.length, to)); // sendto(2) to the broadcast address
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buf = new byte[65_536];
        while (true) {
          int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
          if (left <= 0) {
            break;
          }
          socket.setSoTimeout(left);
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          try {
            socket.receive(p); // recvfrom(2): tells which server answered
          } catch (SocketTimeoutException e) {
            break;
          }
          var msg = Wire.decode(ByteBuffer.wrap(buf, 0, p.getLength()));
          if (msg.isPresent() && msg.get().type() == Wire.Type.ANNOUNCE) {
            String id =
                Endpoints.format(p.getSocketAddress())
                    + "/"
                    + msg.get().fields().getOrDefault("instance", "?");
            found.putIfAbsent(id, describe(Endpoints.format(p.getSocketAddress()), msg.get()));
          }
        }
      }
      if (found.isEmpty()) {
        System.err.println(
            "udp-client: no server answered at " + hp + " within " + Durations.format(wait));
        return Cli.EXIT_FAILURE;
      }
      found.values().forEach(System.out::println);
      System.out.printf("%d server(s) answered%n", found.size());
      return Cli.EXIT_OK;
    }
  }
}
