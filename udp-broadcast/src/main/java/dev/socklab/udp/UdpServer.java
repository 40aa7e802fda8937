package dev.socklab.udp;

import dev.socklab.common.Endpoints;
import dev.socklab.common.NetErrors;
import dev.socklab.common.Trace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP server of the course: one socket, no connection, no listen/accept. Each datagram is
 * received with its sender's address (recvfrom) and answered to that address (sendto): RFC 862 UDP
 * echo, one reply per request, same bytes, same size, 0 to 65,507 bytes. A socklab DISCOVER
 * datagram is answered with an ANNOUNCE instead, and with {@code beacon} set the server broadcasts
 * a BEACON every interval (SO_BROADCAST). See {@link Wire} for the byte layout.
 *
 * <p>IPv4 (AF_INET) only: broadcast exists only in IPv4.
 */
public final class UdpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdpServer.class);

  /** Largest UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
  public static final int MAX_DATAGRAM = 65_507;

  /**
   * How the server listens and what it announces.
   *
   * @param bindAddress address and port; port 0 = ephemeral; an IPv4 address or the wildcard
   * @param name the server's name in announcements
   * @param beaconTo where beacons go, e.g. 127.255.255.255:7008; null = no beacon
   * @param beaconInterval time between beacons
   * @param trace where socket calls are traced
   */
  public record Config(
      InetSocketAddress bindAddress,
      String name,
      InetSocketAddress beaconTo,
      Duration beaconInterval,
      Trace trace) {}

  /**
   * What the server did.
   *
   * @param echoed datagrams echoed
   * @param bytes bytes echoed
   * @param announced ANNOUNCE replies to DISCOVER
   * @param beacons beacons sent
   */
  public record Stats(long echoed, long bytes, long announced, long beacons) {}

  private final Config config;
  private final DatagramChannel channel;
  private final String instance = UUID.randomUUID().toString().substring(0, 8);
  private final long startedMillis = System.currentTimeMillis();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong echoed = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong announced = new AtomicLong();
  private final AtomicLong beacons = new AtomicLong();
  private final Thread loop;
  private final ScheduledExecutorService beaconTimer;
  private volatile boolean stopping;

  private UdpServer(Config config, DatagramChannel channel) {
    this.config = config;
    this.channel = channel;
    this.loop = Thread.ofPlatform().name("udp-loop").unstarted(this::run);
    this.beaconTimer =
        config.beaconTo() == null
            ? null
            : Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("beacon").daemon(true).unstarted(r));
  }

  /**
   * Binds and starts serving (and beaconing, if configured).
   *
   * @param config how to listen
   * @return the running server
   * @throws dev.socklab.common.UserError if the address cannot be bound
   * @throws IOException if the socket cannot be created
   */
  public static UdpServer start(Config config) throws IOException {
    Trace trace = config.trace();
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET); // socket(2)
    trace.socket("AF_INET", "SOCK_DGRAM");
    try {
      // SO_REUSEADDR: several servers may share the port; each gets every broadcast datagram,
      // while a unicast datagram goes to one of them.
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      trace.setsockopt("SO_REUSEADDR", 1);
      // SO_BROADCAST: without it the kernel refuses to send to a broadcast address (EACCES).
      ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
      trace.setsockopt("SO_BROADCAST", 1);
      ch.bind(config.bindAddress()); // bind(2); no listen(), no accept(): there is no connection
    } catch (IOException e) {
      ch.close();
      throw NetErrors.bindFailed(e, config.bindAddress());
    }
    trace.call("bind(" + format((InetSocketAddress) ch.getLocalAddress()) + ")");
    UdpServer server = new UdpServer(config, ch);
    server.loop.start();
    if (server.beaconTimer != null) {
      long ms = Math.max(1, config.beaconInterval().toMillis());
      server.beaconTimer.scheduleAtFixedRate(server::beacon, 0, ms, TimeUnit.MILLISECONDS);
    }
    return server;
  }

  private void run() {
    // Larger than any UDP payload (65,527 over IPv6, 65,507 over IPv4): nothing is cut off.
    ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
    while (!stopping) {
      SocketAddress from;
      buf.clear();
      try {
        from = channel.receive(buf); // recvfrom(2): one whole datagram and who sent it
      } catch (ClosedChannelException e) {
        break;
      } catch (IOException e) {
        log.warn("recvfrom() failed: {}", e.getMessage());
        continue;
      }
      buf.flip();
      int n = buf.remaining();
      if (n == buf.capacity()) {
        log.warn(
            "datagram from {} filled the whole {}-byte buffer: it may be truncated",
            Endpoints.format(from),
            n);
      }
      if (config.trace().on()) {
        byte[] head = new byte[Math.min(n, Trace.DUMP_BYTES)];
        buf.duplicate().get(head);
        config
            .trace()
            .call(
                "recvfrom() -> "
                    + n
                    + " bytes from "
                    + Endpoints.format(from)
                    + "  "
                    + Trace.dump(head, 0, head.length)
                    + (n > head.length ? " (" + n + " bytes)" : ""));
      }
      var msg = Wire.decode(buf);
      try {
        if (msg.isPresent() && msg.get().type() == Wire.Type.DISCOVER) {
          sendTo(ByteBuffer.wrap(announcement(Wire.Type.ANNOUNCE).encode()), from);
          announced.incrementAndGet();
          log.info("DISCOVER from {}: announced", Endpoints.format(from));
        } else {
          sendTo(buf, from); // RFC 862: the same bytes back, as one datagram
          echoed.incrementAndGet();
          bytes.addAndGet(n);
        }
      } catch (IOException e) {
        log.warn("sendto({}) failed: {}", Endpoints.format(from), e.getMessage());
      }
    }
  }

  private void sendTo(ByteBuffer datagram, SocketAddress to) throws IOException {
    int n = datagram.remaining();
    channel.send(datagram, to); // sendto(2): one datagram, all or nothing
    config.trace().call("sendto(" + Endpoints.format(to) + ", " + n + " bytes)");
  }

  private Wire announcement(Wire.Type type) {
    InetSocketAddress local = localAddress();
    return new Wire(
        type,
        0,
        sequence.getAndIncrement() & 0xFFFF_FFFFL,
        System.currentTimeMillis(),
        Map.of(
            "name", config.name(),
            "instance", instance,
            "udp_port", Integer.toString(local.getPort()),
            "uptime_ms", Long.toString(System.currentTimeMillis() - startedMillis),
            "serves", "udp-echo,discovery" + (config.beaconTo() == null ? "" : ",beacon")));
  }

  private void beacon() {
    try {
      sendTo(ByteBuffer.wrap(announcement(Wire.Type.BEACON).encode()), config.beaconTo());
      beacons.incrementAndGet();
    } catch (IOException e) {
      log.warn("beacon to {} failed: {}", Endpoints.format(config.beaconTo()), e.getMessage());
    }
  }

  /**
   * Formats an address of this AF_INET socket: the wildcard is 0.0.0.0 (INADDR_ANY), not [::].
   *
   * @param address a local or peer address
   * @return e.g. {@code 0.0.0.0:7007}, {@code 127.0.0.1:40000}
   */
  public static String format(InetSocketAddress address) {
    return address.getAddress().isAnyLocalAddress()
        ? "0.0.0.0:" + address.getPort()
        : Endpoints.format(address);
  }

  /**
   * @return the address actually bound
   */
  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("socket closed", e);
    }
  }

  /**
   * @return this server's instance id (in every announcement, to tell servers on one port apart)
   */
  public String instance() {
    return instance;
  }

  /**
   * Stops beaconing and serving; a datagram being answered is finished first.
   *
   * @return what the server did
   */
  public synchronized Stats stop() {
    if (!stopping) {
      stopping = true;
      if (beaconTimer != null) {
        beaconTimer.shutdownNow();
      }
      try {
        channel.close(); // close(2): a blocked receive() returns with ClosedChannelException
        config.trace().close();
        loop.join(2_000);
      } catch (IOException e) {
        log.warn("close failed: {}", e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new Stats(echoed.get(), bytes.get(), announced.get(), beacons.get());
  }

  @Override
  public void close() {
    stop();
  }
}
