package dev.socklab.bench;

import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.UsageError;
import dev.socklab.common.UserError;
import dev.socklab.netty.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * One server to measure: a name for the table and chart, and where it listens.
 *
 * @param name the label in the table, the CSV and the chart ({@code thread} in {@code
 *     thread=localhost:7007}); the address itself when none is given
 * @param family TCP (or UDP in the udp mode), a UNIX socket file, or a name in Linux's abstract
 *     namespace
 * @param where {@code HOST:PORT}, the socket file's path, or the abstract name
 */
record BenchTarget(String name, Family family, String where) {

  /** Where a target listens. */
  enum Family {
    /** An IP address and port: TCP, or UDP in the udp mode. */
    INET,
    /** A UNIX socket file ({@code man 7 unix}). */
    UNIX,
    /** A name in Linux's abstract socket namespace: no file ({@code man 7 unix}). */
    ABSTRACT
  }

  /**
   * Parses {@code [NAME=]ADDRESS}, where ADDRESS is {@code HOST:PORT}, {@code PORT}, {@code
   * unix:PATH} or {@code abstract:NAME}.
   *
   * @param text what the user typed
   * @return the target
   * @throws UsageError if the address is malformed or has no port
   */
  static BenchTarget parse(String text) {
    String name = null;
    String address = text;
    int eq = text.indexOf('=');
    if (eq > 0 && !text.startsWith("unix:") && !text.startsWith("abstract:")) {
      name = text.substring(0, eq);
      address = text.substring(eq + 1);
    }
    BenchTarget t;
    if (address.startsWith("unix:")) {
      t = unix(Path.of(address.substring(5)));
    } else if (address.startsWith("abstract:")) {
      t = abstractName(address.substring(9));
    } else {
      // Endpoints.parse would take the missing port for port 0 and call it a bad port.
      if (!hasPort(address)) {
        throw new UsageError(
            "'" + address + "' has no port: give HOST:PORT, PORT, unix:PATH or abstract:NAME");
      }
      HostPort hp = Endpoints.parse(address, "localhost", 0);
      t = new BenchTarget(hp.toString(), Family.INET, hp.toString());
    }
    return name == null ? t : new BenchTarget(name, t.family, t.where);
  }

  // PORT, HOST:PORT or [IPV6]:PORT, with something after the colon; a host alone has none.
  private static boolean hasPort(String address) {
    String a = address.strip();
    if (!a.isEmpty() && a.chars().allMatch(Character::isDigit)) {
      return true;
    }
    int colon = a.lastIndexOf(':');
    boolean one = a.startsWith("[") ? a.lastIndexOf(']') < colon : a.indexOf(':') == colon;
    return colon >= 0 && colon < a.length() - 1 && one;
  }

  /**
   * @param path the socket file
   * @return a target on that UNIX socket, named by its path
   */
  static BenchTarget unix(Path path) {
    return new BenchTarget(path.toString(), Family.UNIX, path.toString());
  }

  /**
   * @param name a name in the abstract namespace, without the leading NUL
   * @return a target on {@code @name}
   * @throws UsageError if the name is empty
   */
  static BenchTarget abstractName(String name) {
    if (name.isEmpty()) {
      throw new UsageError("an abstract socket name cannot be empty");
    }
    return new BenchTarget("@" + name, Family.ABSTRACT, name);
  }

  /**
   * The address to connect (or send) to, as the transport's channels take it.
   *
   * @param transport the resolved transport
   * @return an {@link InetSocketAddress} or a UNIX socket address
   * @throws UserError if the host name does not resolve, or the abstract namespace is asked for on
   *     NIO
   */
  SocketAddress address(Transport transport) {
    return switch (family) {
      case UNIX -> transport.unixAddress(Path.of(where));
      case ABSTRACT -> transport.unixAbstractAddress(where);
      case INET -> {
        HostPort hp = Endpoints.parse(where, "localhost", 0);
        try {
          yield new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        } catch (UnknownHostException e) {
          throw new UserError("unknown host '" + hp.host() + "': use 127.0.0.1 or localhost");
        }
      }
    };
  }

  /**
   * @return true for a UNIX socket, by file or by abstract name
   */
  boolean isUnix() {
    return family != Family.INET;
  }
}
