package dev.socklab.chat;

import dev.socklab.common.Trace;
import dev.socklab.netty.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A running chat server, whichever engine runs it: {@link SelectorChatServer} (a plain {@code
 * java.nio} Selector loop) or {@link NettyChatServer} (a Netty event loop). Both speak the protocol
 * of {@link ChatRoom} and docs/protocols.md.
 */
public interface ChatServer extends AutoCloseable {
  /** The two engines ({@code --engine}). */
  enum Engine {
    /** One thread, one {@code java.nio.channels.Selector}: the select() loop made visible. */
    SELECTOR,
    /** One Netty event loop: native epoll on Linux, NIO elsewhere. */
    NETTY
  }

  /**
   * How the server listens and what it bounds.
   *
   * @param bindAddress address and port; port 0 = ephemeral
   * @param backlog listen(2) backlog, 1-65535
   * @param maxClients most clients at once; one more gets "* server full" and is closed
   * @param maxLineBytes longest line accepted, in bytes without the terminator, 16-1048576
   * @param maxPendingBytes queued output per client beyond which it is cut off, 1 KiB or more
   * @param maxPendingTotalBytes queued output of all clients together beyond which those holding
   *     the most are cut off, 1 KiB or more (see {@link #defaultMaxPendingTotal()})
   * @param transport Netty transport (the selector engine ignores it)
   * @param trace where socket calls are traced
   */
  record Config(
      InetSocketAddress bindAddress,
      int backlog,
      int maxClients,
      int maxLineBytes,
      int maxPendingBytes,
      long maxPendingTotalBytes,
      Transport transport,
      Trace trace) {
    /** Default line limit, bytes. */
    public static final int DEFAULT_MAX_LINE = 4096;

    /** Default queued output per client, bytes (1 MiB). */
    public static final int DEFAULT_MAX_PENDING = 1 << 20;

    /** Cap of the default output budget of all clients together, bytes (64 MiB). */
    public static final long MAX_DEFAULT_PENDING_TOTAL = 64L << 20;

    /** Default most clients at once. */
    public static final int DEFAULT_MAX_CLIENTS = 1024;

    /**
     * @throws IllegalArgumentException if a value is out of its range
     */
    public Config {
      if (backlog < 1 || backlog > 65535) {
        throw new IllegalArgumentException("backlog must be 1-65535, not " + backlog);
      }
      if (maxClients < 1) {
        throw new IllegalArgumentException("max clients must be 1 or more, not " + maxClients);
      }
      if (maxLineBytes < 16 || maxLineBytes > 1 << 20) {
        throw new IllegalArgumentException(
            "max line must be 16-1048576 bytes, not " + maxLineBytes);
      }
      if (maxPendingBytes < 1024) {
        throw new IllegalArgumentException(
            "max pending must be 1024 bytes or more, not " + maxPendingBytes);
      }
      if (maxPendingTotalBytes < 1024) {
        throw new IllegalArgumentException(
            "max pending total must be 1024 bytes or more, not " + maxPendingTotalBytes);
      }
    }

    /**
     * The default budget of queued output for all clients together: 64 MiB, or a quarter of the
     * JVM's maximum heap if that is less. Queued lines live on the heap (the selector engine) or in
     * direct memory, which Netty bounds by the maximum heap too; a quarter leaves the rest for the
     * clients themselves and for garbage, so clients that stop reading cannot take the heap. 64 MiB
     * is 64 clients at the default --max-pending, and keeps a server with a large default heap (a
     * quarter of RAM) small.
     *
     * @return bytes, 1 KiB or more
     */
    public static long defaultMaxPendingTotal() {
      return Math.max(
          1024, Math.min(MAX_DEFAULT_PENDING_TOTAL, Runtime.getRuntime().maxMemory() / 4));
    }

    /**
     * Defaults for everything but the address.
     *
     * @param bindAddress where to listen
     * @return backlog 1024, 1024 clients, 4096-byte lines, 1 MiB pending per client, {@link
     *     #defaultMaxPendingTotal()} in all, auto transport
     */
    public static Config defaults(InetSocketAddress bindAddress) {
      return new Config(
          bindAddress,
          1024,
          DEFAULT_MAX_CLIENTS,
          DEFAULT_MAX_LINE,
          DEFAULT_MAX_PENDING,
          defaultMaxPendingTotal(),
          Transport.AUTO,
          Trace.disabled());
    }

    /**
     * @param max most clients at once
     * @return this configuration with another client limit
     */
    public Config withMaxClients(int max) {
      return new Config(
          bindAddress,
          backlog,
          max,
          maxLineBytes,
          maxPendingBytes,
          maxPendingTotalBytes,
          transport,
          trace);
    }

    /**
     * @param bytes longest line accepted, 16-1048576
     * @return this configuration with another line limit
     * @throws IllegalArgumentException if {@code bytes} is out of range
     */
    public Config withMaxLine(int bytes) {
      return new Config(
          bindAddress,
          backlog,
          maxClients,
          bytes,
          maxPendingBytes,
          maxPendingTotalBytes,
          transport,
          trace);
    }

    /**
     * @param bytes queued output per client beyond which it is cut off
     * @return this configuration with another limit
     */
    public Config withMaxPending(int bytes) {
      return new Config(
          bindAddress,
          backlog,
          maxClients,
          maxLineBytes,
          bytes,
          maxPendingTotalBytes,
          transport,
          trace);
    }

    /**
     * @param bytes queued output of all clients together beyond which those holding the most are
     *     cut off, 1 KiB or more
     * @return this configuration with another budget
     * @throws IllegalArgumentException if {@code bytes} is below 1024
     */
    public Config withMaxPendingTotal(long bytes) {
      return new Config(
          bindAddress, backlog, maxClients, maxLineBytes, maxPendingBytes, bytes, transport, trace);
    }

    /**
     * @param t where socket calls are traced
     * @return this configuration with another tracer
     */
    public Config withTrace(Trace t) {
      return new Config(
          bindAddress,
          backlog,
          maxClients,
          maxLineBytes,
          maxPendingBytes,
          maxPendingTotalBytes,
          transport,
          t);
    }
  }

  /**
   * What the server did, for the summary line.
   *
   * @param clients clients accepted and served (they joined the room; refused ones not counted)
   * @param relayed messages relayed
   * @param cutOff clients cut off for not reading
   * @param queuedPeak the most output ever queued for all clients at once, bytes, as counted
   *     against {@link Config#maxPendingTotalBytes()}
   */
  record Stats(long clients, long relayed, long cutOff, long queuedPeak) {}

  /**
   * Starts a chat server.
   *
   * @param engine which engine
   * @param config how to listen
   * @return the running server
   * @throws dev.socklab.common.UserError if the address cannot be bound
   * @throws IOException if the sockets cannot be created
   */
  static ChatServer start(Engine engine, Config config) throws IOException {
    return switch (engine) {
      case SELECTOR -> SelectorChatServer.start(config);
      case NETTY -> NettyChatServer.start(config);
    };
  }

  /**
   * Serves a listening socket the service manager made instead of binding one. Each engine adopts
   * what its library can: the selector engine the socket on standard input ({@link
   * System#inheritedChannel()}, systemd {@code StandardInput=socket}), the Netty engine (epoll) a
   * descriptor passed with {@code LISTEN_FDS} ({@code man 3 sd_listen_fds}).
   *
   * @param engine which engine
   * @param config how to serve; address and backlog unused
   * @param stdin the listening channel on standard input, or null
   * @param fd the {@code LISTEN_FDS} descriptor (3), or -1
   * @return the running server
   * @throws dev.socklab.common.UserError if the engine cannot adopt what was inherited
   * @throws IOException if the sockets cannot be set up
   */
  static ChatServer adopt(Engine engine, Config config, ServerSocketChannel stdin, int fd)
      throws IOException {
    if (engine == Engine.SELECTOR && stdin != null) {
      return SelectorChatServer.start(config, stdin);
    }
    if (engine == Engine.NETTY && fd >= 0) {
      return NettyChatServer.adopt(config, fd);
    }
    throw new dev.socklab.common.UserError(
        stdin != null
            ? "the Netty engine adopts LISTEN_FDS descriptors, not a socket on standard input: use"
                + " --engine selector, or leave StandardInput= unset"
            : "LISTEN_FDS passes the listening socket as fd "
                + fd
                + ", which the JDK's Selector cannot adopt: use --engine netty (epoll)");
  }

  /**
   * @return the address actually bound
   */
  InetSocketAddress localAddress();

  /**
   * @return clients in the room now
   */
  int connectedClients();

  /**
   * @return output queued for all clients now, bytes, as counted against {@link
   *     Config#maxPendingTotalBytes()} (safe to read from any thread)
   */
  long queuedBytes();

  /**
   * @return what the engine runs on, for the banner (e.g. "java.nio Selector", "Netty epoll")
   */
  String describe();

  /**
   * Completes, with the cause, if the server dies on its own: its loop failed or its listening
   * socket closed, not by {@link #stop(Duration)}. The process then exits 1 ({@code ServerRun}).
   *
   * @return a future that never completes while the server is healthy
   */
  CompletableFuture<Throwable> failure();

  /**
   * Graceful shutdown: stop accepting, send everyone "* server shutting down", flush what is queued
   * within {@code grace}, close.
   *
   * @param grace how long flushing may take
   * @return the final counters
   */
  Stats stop(Duration grace);

  @Override
  default void close() {
    stop(Duration.ofSeconds(2));
  }
}
