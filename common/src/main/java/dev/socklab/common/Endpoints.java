package dev.socklab.common;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Printing and parsing socket addresses the way users type them: {@code 127.0.0.1:7007}, {@code
 * [::1]:7007}, {@code localhost:7007}, {@code 7007}.
 */
public final class Endpoints {
  private Endpoints() {}

  /** A host and port as the user gave them, not yet resolved. */
  public record HostPort(String host, int port) {
    /**
     * @return {@code host:port}, with IPv6 literals in brackets
     */
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** The default port of {@link #parse(String, String)}: none, a port must be given. */
  private static final int NO_DEFAULT_PORT = -1;

  /**
   * Parses {@code HOST:PORT} or {@code PORT}, where no port is well known enough to guess (a
   * student's server, a benchmark target).
   *
   * @param text what the user typed
   * @param defaultHost host to use when only a port is given
   * @return the parsed host and port
   * @throws UsageError if the text names no port, the port is not in 1-65535, or it is malformed
   */
  public static HostPort parse(String text, String defaultHost) {
    return parse(text, defaultHost, NO_DEFAULT_PORT);
  }

  /**
   * Parses {@code [HOST:]PORT}: {@code 7007}, {@code localhost:7007}, {@code 127.0.0.1:7007},
   * {@code [::1]:7007} or {@code HOST} alone.
   *
   * @param text what the user typed
   * @param defaultHost host to use when only a port is given
   * @param defaultPort port to use when only a host is given
   * @return the parsed host and port
   * @throws UsageError if the port is not a number in 1-65535 or the text is malformed
   */
  public static HostPort parse(String text, String defaultHost, int defaultPort) {
    String host = defaultHost;
    String port = null;
    String t = text.strip();
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new UsageError("bad address '" + text + "': missing ']' after the IPv6 address");
      }
      host = t.substring(1, close);
      String rest = t.substring(close + 1);
      if (rest.startsWith(":")) {
        port = rest.substring(1);
      } else if (!rest.isEmpty()) {
        throw new UsageError("bad address '" + text + "': expected [IPV6]:PORT");
      }
    } else if (t.chars().allMatch(Character::isDigit) && !t.isEmpty()) {
      port = t;
    } else {
      int colon = t.lastIndexOf(':');
      if (colon >= 0 && t.indexOf(':') == colon) {
        host = t.substring(0, colon);
        port = t.substring(colon + 1);
      } else {
        host = t; // a host alone, or a bare IPv6 literal
      }
    }
    if (host.isEmpty()) {
      host = defaultHost;
    }
    if (port == null && defaultPort == NO_DEFAULT_PORT) {
      throw new UsageError("'" + text + "' has no port: give HOST:PORT or PORT");
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new UsageError("bad port '" + port + "' in '" + text + "': use a number 1-65535");
      }
    }
    if (p < 1 || p > 65535) {
      throw new UsageError("bad port " + p + " in '" + text + "': use a number 1-65535");
    }
    return new HostPort(host, p);
  }

  /**
   * Formats an address for logs and banners: {@code 127.0.0.1:7007}, {@code [::1]:7007}, {@code
   * [::]:7007}, or a UNIX socket path as it is.
   *
   * @param address any socket address; {@code null} prints as {@code "?"}
   * @return the printable form
   */
  public static String format(SocketAddress address) {
    if (address instanceof InetSocketAddress in) {
      InetAddress a = in.getAddress();
      if (a == null) {
        return in.getHostString() + ":" + in.getPort();
      }
      if (a.isAnyLocalAddress()) {
        // The JDK binds in6addr_any (dual stack) for the wildcard unless IPv4-only was asked for.
        return (SocketCalls.inetFamily().equals("AF_INET6") ? "[::]" : "0.0.0.0")
            + ":"
            + in.getPort();
      }
      String host = a.getHostAddress();
      if (a instanceof Inet6Address) {
        int zone = host.indexOf('%');
        host = "[" + compress(zone >= 0 ? host.substring(0, zone) : host) + "]";
      }
      return host + ":" + in.getPort();
    }
    if (address == null) {
      return "?";
    }
    String s = address.toString();
    // accept(2) on AF_UNIX: a client that never bound has an unnamed address (man 7 unix).
    return s.isEmpty() ? "(unnamed)" : s;
  }

  /**
   * Formats an address of an AF_INET socket, whose wildcard is {@code 0.0.0.0} (INADDR_ANY), not
   * {@code [::]}.
   *
   * @param address a local or peer address
   * @return e.g. {@code 0.0.0.0:7007}, {@code 127.0.0.1:40000}
   */
  public static String formatIpv4(InetSocketAddress address) {
    InetAddress a = address.getAddress();
    return a != null && a.isAnyLocalAddress() ? "0.0.0.0:" + address.getPort() : format(address);
  }

  /**
   * What a user on this host types to reach a server bound to {@code bound}: {@code localhost} for
   * a wildcard or loopback bind, else the bound address.
   *
   * @param bound the address the server actually bound
   * @return a host for {@code nc HOST PORT}
   */
  public static String hostToReach(InetSocketAddress bound) {
    InetAddress a = bound.getAddress();
    if (a == null || a.isAnyLocalAddress()) {
      return "localhost";
    }
    return a.getHostAddress().replaceFirst("%.*$", "");
  }

  // "0:0:0:0:0:0:0:1" -> "::1": the longest run of zero groups becomes "::" (RFC 5952).
  private static String compress(String full) {
    String[] groups = full.split(":");
    if (groups.length != 8) {
      return full;
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i].equals("0")) {
        int j = i;
        while (j < 8 && groups[j].equals("0")) {
          j++;
        }
        if (j - i > bestLen && j - i > 1) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, 8));
    return head + "::" + tail;
  }
}
