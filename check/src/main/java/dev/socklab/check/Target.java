package dev.socklab.check;

import dev.socklab.client.AbstractConn;
import dev.socklab.client.Conn;
import dev.socklab.client.Connector;
import dev.socklab.client.UdsClient;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.UserError;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server under check: where to connect. The clients' connection code makes every connection, so
 * {@code check} reaches whatever {@code echo-client}, {@code uds-client} and {@code udp-client}
 * reach, with the same one-line errors.
 */
public sealed interface Target {
  /**
   * @return how reports name it, e.g. {@code localhost:9000}, {@code /tmp/my.sock}, {@code @name}
   */
  String describe();

  /**
   * A new stream connection (not for {@link Udp}).
   *
   * @param timeout longest wait for connect(2)
   * @return the connection
   * @throws IOException if connecting fails
   * @throws UserError with one line when nobody listens there (the target cannot be reached)
   */
  Conn connect(Duration timeout) throws IOException;

  /** A TCP server. */
  record Tcp(HostPort hostPort) implements Target {
    @Override
    public String describe() {
      return hostPort.toString();
    }

    @Override
    public Conn connect(Duration timeout) {
      SocketCalls calls = new SocketCalls(Trace.disabled());
      return Conn.of(
          Connector.connect(hostPort, timeout, calls, "your server (or ./socklab echo-server)"),
          calls);
    }
  }

  /** A stream server on a UNIX socket file. */
  record Unix(Path path) implements Target {
    @Override
    public String describe() {
      return path.toString();
    }

    @Override
    public Conn connect(Duration timeout) {
      SocketCalls calls = new SocketCalls(Trace.disabled());
      return Conn.of(UdsClient.connect(path, calls), calls);
    }
  }

  /** A stream server on a name in Linux's abstract namespace. */
  record Abstract(String name) implements Target {
    @Override
    public String describe() {
      return "@" + name;
    }

    @Override
    public Conn connect(Duration timeout) {
      return AbstractConn.connect(name, Trace.disabled());
    }
  }

  /** A UDP server: cases open their own datagram sockets ({@link Probe#udpSocket()}). */
  record Udp(HostPort hostPort) implements Target {
    @Override
    public String describe() {
      return hostPort.toString();
    }

    @Override
    public Conn connect(Duration timeout) {
      throw new UnsupportedOperationException("a UDP target has no connections");
    }

    /**
     * @return the server's resolved address
     * @throws UserError if the host name does not resolve
     */
    public InetSocketAddress address() {
      try {
        return new InetSocketAddress(InetAddress.getByName(hostPort.host()), hostPort.port());
      } catch (IOException e) {
        throw new UserError(
            "unknown host '" + hostPort.host() + "': check the name, or use 127.0.0.1", e);
      }
    }
  }

  /**
   * @param text {@code [HOST:]PORT}
   * @return the host and port, localhost by default
   * @throws dev.socklab.common.UsageError if malformed, or if it names no port (a student's server
   *     has no well-known port to guess)
   */
  static HostPort hostPort(String text) {
    return Endpoints.parse(text, "localhost");
  }
}
