package dev.socklab.common;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Turns the socket errors a user can cause into one clear line ({@link UserError}) that says what
 * happened and what to do. The errno each case comes from is named, so the line can be matched with
 * the C notes ({@code man 2 bind}, {@code man 2 connect}).
 */
public final class NetErrors {
  private NetErrors() {}

  /**
   * Explains a failed bind(2).
   *
   * @param e what {@code bind} threw
   * @param address the address that was being bound
   * @return a {@link UserError} to throw: EADDRINUSE suggests {@code --port 0}, EACCES explains
   *     privileged ports (below 1024), EADDRNOTAVAIL says the address is not on this host
   */
  public static UserError bindFailed(IOException e, InetSocketAddress address) {
    String where = Endpoints.format(address);
    int port = address.getPort();
    String msg = lower(e);
    if (msg.contains("already in use")) {
      return new UserError(
          "port "
              + port
              + " is already in use ("
              + where
              + ", EADDRINUSE): another server listens there; stop it, choose another --port, "
              + "or use --port 0 for any free port",
          e);
    }
    if (msg.contains("permission denied") || msg.contains("access")) {
      return new UserError(
          "permission denied binding "
              + where
              + " (EACCES): ports below 1024 need root or CAP_NET_BIND_SERVICE; "
              + "use a port of 1024 or more, e.g. --port 0",
          e);
    }
    if (msg.contains("cannot assign requested address")) {
      return new UserError(
          "cannot bind "
              + where
              + " (EADDRNOTAVAIL): that address is not on this host; leave out --bind to listen "
              + "on all interfaces, or use 127.0.0.1",
          e);
    }
    return new UserError("cannot bind " + where + ": " + e.getMessage(), e);
  }

  /**
   * Explains a failed connect(2) or name lookup by a client.
   *
   * @param e what connecting threw
   * @param target the host and port as the user gave them
   * @param startCommand how to start the matching server, e.g. {@code "./socklab echo-server"}
   * @return a {@link UserError} to throw: ECONNREFUSED names the command that starts a server
   */
  public static UserError connectFailed(
      IOException e, Endpoints.HostPort target, String startCommand) {
    if (e instanceof UnknownHostException) {
      return new UserError(
          "unknown host '" + target.host() + "': check the name, or use 127.0.0.1", e);
    }
    if (e instanceof SocketTimeoutException) {
      return new UserError(
          "connecting to "
              + target
              + " timed out (no answer to our SYN): is the host up and the port open?",
          e);
    }
    if (e instanceof ConnectException && lower(e).contains("refused")) {
      return new UserError(
          "no server at " + target + " (ECONNREFUSED) — start one with " + startCommand, e);
    }
    if (e instanceof NoRouteToHostException) {
      return new UserError("no route to " + target + " (EHOSTUNREACH)", e);
    }
    return new UserError("cannot connect to " + target + ": " + e.getMessage(), e);
  }

  /**
   * True when {@code e} is a connection reset (ECONNRESET: the peer sent RST, e.g. it closed with
   * unread data or with SO_LINGER 0) or a broken pipe (EPIPE: writing after the peer's RST).
   *
   * @param e an exception from a socket read or write
   * @return whether the peer aborted the connection
   */
  public static boolean isReset(IOException e) {
    String msg = lower(e);
    return msg.contains("connection reset") || msg.contains("broken pipe");
  }

  private static String lower(Throwable e) {
    return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
  }
}
