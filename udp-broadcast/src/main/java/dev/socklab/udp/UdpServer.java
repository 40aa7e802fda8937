package dev.socklab.udp;

import dev.socklab.common.Endpoints;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
      Trace trace) {
    /**
     * Echo and discovery on {@code bindAddress}, named "socklab", no beacon, no trace.
     *
     * @param bindAddress address and port; port 0 = ephemeral
     * @return the configuration
     */
    public static Config at(InetSocketAddress bindAddress) {
      return new Config(bindAddress, "socklab", null, Duration.ZERO, Trace.disabled());
    }

    /**
     * @param serverName the name in announcements
     * @return this configuration with another name
     */
    public Config withName(String serverName) {
      return new Config(bindAddress, serverName, beaconTo, beaconInterval, trace);
    }

    /**
     * @param to where beacons go, e.g. 127.255.255.255:7008
     * @param every time between beacons, 1 ms or more
     * @return this configuration with a beacon
     */
    public Config withBeacon(InetSocketAddress to, Duration every) {
      return new Config(bindAddress, name, to, every, trace);
    }

    /**
     * @param t where socket calls are traced
     * @return this configuration with another tracer
     */
    public Config withTrace(Trace t) {
      return new Config(bindAddress, name, beaconTo, beaconInterval, t);
    }
  }

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
  private final SocketCalls calls;
  private final DatagramChannel channel;
  private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
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

  private UdpServer(Config config, SocketCalls calls, DatagramChannel channel) {
    this.config = config;
    this.calls = calls;
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
    SocketCalls calls = new SocketCalls(config.trace());
    DatagramChannel ch = calls.datagramSocket(); // socket(AF_INET, SOCK_DGRAM)
    try {
      // SO_REUSEADDR: several servers may share the port; each gets every broadcast datagram,
      // while a unicast datagram goes to one of them.
      calls.setsockopt(ch, StandardSocketOptions.SO_REUSEADDR, true);
      // SO_BROADCAST: without it the kernel refuses to send to a broadcast address (EACCES).
      calls.setsockopt(ch, StandardSocketOptions.SO_BROADCAST, true);
    } catch (IOException e) {
      calls.close(ch);
      throw e;
    }
    calls.bind(ch, config.bindAddress()); // no listen(), no accept(): there is no connection
    UdpServer server = new UdpServer(config, calls, ch);
    server.loop.start();
    if (server.beaconTimer != null) {
      long ms = Math.max(1, config.beaconInterval().toMillis());
      server.beaconTimer.scheduleAtFixedRate(server::beacon, 0, ms, TimeUnit.MILLISECONDS);
    }
    return server;
  }

  // The loop of the course's dg_echo: recvfrom(), sendto() the same bytes back, forever.
  private void run() {
    // Larger than any UDP payload (65,527 over IPv6, 65,507 over IPv4): nothing is cut off.
    ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
    while (!stopping) {
      SocketAddress from;
      buf.clear();
      try {
        from = calls.recvfrom(channel, buf); // one whole datagram and who sent it
      } catch (ClosedChannelException e) {
        if (!stopping) { // closed under us (e.g. an interrupt): nothing receives any more
          failure.complete(new IOException("recvfrom() failed: the socket was closed", e));
        }
        break;
      } catch (IOException e) {
        log.warn("recvfrom() failed: {}", e.getMessage()); // one datagram's trouble: carry on
        continue;
      }
      buf.flip();
      if (buf.remaining() == buf.capacity()) {
        log.warn("datagram from {} filled the whole buffer: it may be truncated", format(from));
      }
      answer(buf, from);
    }
  }

  // RFC 862: the same bytes back as one datagram; a DISCOVER gets an ANNOUNCE instead.
  private void answer(ByteBuffer datagram, SocketAddress from) {
    int n = datagram.remaining();
    try {
      if (Wire.decode(datagram).map(w -> w.type() == Wire.Type.DISCOVER).orElse(false)) {
        calls.sendto(channel, ByteBuffer.wrap(announcement(Wire.Type.ANNOUNCE).encode()), from);
        announced.incrementAndGet();
        log.info("DISCOVER from {}: announced", format(from));
      } else {
        calls.sendto(channel, datagram, from);
        echoed.incrementAndGet();
        bytes.addAndGet(n);
      }
    } catch (IOException e) {
      log.warn("sendto({}) failed: {}", format(from), e.getMessage());
    }
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
      calls.sendto(
          channel, ByteBuffer.wrap(announcement(Wire.Type.BEACON).encode()), config.beaconTo());
      beacons.incrementAndGet();
    } catch (IOException e) {
      log.warn("beacon to {} failed: {}", Endpoints.format(config.beaconTo()), e.getMessage());
    }
  }

  private static String format(SocketAddress address) {
    return Endpoints.formatIpv4((InetSocketAddress) address);
  }

  /**
   * Completes, with the cause, if the datagram loop dies on its own (its socket closed without
   * {@link #stop()}); the process then exits 1.
   *
   * @return a future that never completes while the server is healthy
   */
  public CompletableFuture<Throwable> failure() {
    return failure;
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
        calls.close(channel); // close(2): a blocked receive() returns with ClosedChannelException
        loop.join(2_000);
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
