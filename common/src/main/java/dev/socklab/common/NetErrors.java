package dev.socklab.common;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the socket errors a user can cause into one clear line ({@link UserError}) that says what
 * happened and what to do. The errno each case comes from is named, so the line can be matched with
 * the C notes ({@code man 2 bind}, {@code man 2 connect}).
 *
 * <p>This is the only class that recognises an errno. Java reports a failed system call as an
 * {@link IOException} whose message is the C library's {@code strerror(errno)} text (the JDK and
 * Netty's native transports both do), and has no portable errno field; {@link #errno(Throwable)}
 * maps the message back, so every other class asks for an {@link Errno}, never for words.
 */
public final class NetErrors {
  private NetErrors() {}

  /**
   * The errno values a socket program meets, with the {@code strerror} text Linux gives each
   * ({@code man 3 errno}).
   */
  public enum Errno {
    /** bind(2): the address (port, or UNIX socket name) is taken. */
    EADDRINUSE("address already in use"),
    /** bind(2): the address is not on this host. */
    EADDRNOTAVAIL("cannot assign requested address"),
    /** bind(2) to a port below 1024, sendto(2) to a broadcast address without SO_BROADCAST. */
    EACCES("permission denied"),
    /** connect(2): nobody listens there (TCP RST, or an AF_UNIX file with no server). */
    ECONNREFUSED("connection refused"),
    /** read(2)/write(2): the peer reset the connection (RST). */
    ECONNRESET("connection reset"),
    /** write(2) after the peer's RST; in C also SIGPIPE unless ignored. */
    EPIPE("broken pipe"),
    /** connect(2) timed out: no answer to the SYN. */
    ETIMEDOUT("timed out"),
    /** read(2)/recvfrom(2) waited SO_RCVTIMEO and nothing came (also EWOULDBLOCK). */
    EAGAIN("resource temporarily unavailable"),
    /** connect(2)/sendto(2): no route to the host. */
    EHOSTUNREACH("no route to host"),
    /** connect(2)/sendto(2): no route to the network. */
    ENETUNREACH("network is unreachable"),
    /** connect(2) to an AF_UNIX path that does not exist. */
    ENOENT("no such file or directory"),
    /** sendto(2): the datagram is larger than the socket allows. */
    EMSGSIZE("message too long");

    private final String text;

    Errno(String text) {
      this.text = text;
    }
  }

  /**
   * The errors of getaddrinfo(3) and getnameinfo(3) (not errno values: their own codes), with the
   * {@code gai_strerror} text glibc gives each ({@code man 3 getaddrinfo}). The JDK puts that text
   * into the {@link UnknownHostException} of a failed look-up.
   */
  public enum Gai {
    /** The name is unknown: no such host in /etc/hosts or DNS (NXDOMAIN). */
    EAI_NONAME("name or service not known"),
    /** The name exists but has no address (of the family asked for). */
    EAI_NODATA("no address associated with hostname"),
    /** A temporary failure: the DNS server did not answer (yet). */
    EAI_AGAIN("temporary failure in name resolution"),
    /** A permanent failure of the DNS server. */
    EAI_FAIL("non-recoverable failure in name resolution"),
    /** The host has no address of the family asked for. */
    EAI_ADDRFAMILY("address family for hostname not supported"),
    /** A system error; errno says which. */
    EAI_SYSTEM("system error");

    private final String text;

    Gai(String text) {
      this.text = text;
    }
  }

  /**
   * The getaddrinfo(3) error behind a failed name look-up, recognised from its {@code gai_strerror}
   * text.
   *
   * @param e what the look-up threw, or null
   * @return the error, or null when none is recognised (e.g. the JDK answered from its cache of
   *     failed look-ups, whose exception carries the name only)
   */
  public static Gai gaiError(Throwable e) {
    String msg = e == null ? "" : lower(e);
    for (Gai g : Gai.values()) {
      if (msg.contains(g.text)) {
        return g;
      }
    }
    return null;
  }

  /**
   * The errno behind a failed socket call, recognised from the exception's type and its {@code
   * strerror} message (this or any of its causes).
   *
   * @param e what the call threw, or null
   * @return the errno, or null when none is recognised
   */
  public static Errno errno(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.nio.file.AccessDeniedException) {
        return Errno.EACCES;
      }
      if (t instanceof java.nio.file.NoSuchFileException) {
        return Errno.ENOENT;
      }
      if (t instanceof SocketTimeoutException) {
        // Java throws it for an expired SO_RCVTIMEO ("Read timed out"), where C has EAGAIN, and
        // for a connect that waited too long ("Connect timed out"), where C has ETIMEDOUT.
        return lower(t).contains("connect") ? Errno.ETIMEDOUT : Errno.EAGAIN;
      }
      if (t instanceof java.net.PortUnreachableException) {
        return Errno.ECONNREFUSED; // ICMP port unreachable on a connected UDP socket
      }
      String msg = lower(t);
      for (Errno n : Errno.values()) {
        if (msg.contains(n.text)) {
          return n;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * What went wrong, in words, for a failure line: the exception's message; where the JDK gives
   * none, what happened (an {@link java.nio.channels.AsynchronousCloseException}: another thread
   * closed the socket while this call was blocked on it, as when a server stops) or else the
   * exception's class name.
   *
   * @param e what a call threw
   * @return a short text, never null
   */
  public static String message(Throwable e) {
    if (e.getMessage() != null) {
      return e.getMessage();
    }
    return e instanceof java.nio.channels.AsynchronousCloseException
        ? "socket closed by another thread"
        : e.getClass().getSimpleName();
  }

  /**
   * @param e what a socket call threw
   * @param errno the errno to test for
   * @return whether {@code e} is that errno
   */
  public static boolean is(Throwable e, Errno errno) {
    return errno(e) == errno;
  }

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
    Errno errno = errno(e);
    Map<String, Integer> closing = errno == Errno.EADDRINUSE ? closingOnly(port) : Map.of();
    int timeWait = closing.getOrDefault("TIME_WAIT", 0);
    if (timeWait > 0 && closing.size() == 1) {
      return new UserError(
          "port "
              + port
              + " is held by "
              + timeWait
              + " connection(s) in TIME_WAIT ("
              + where
              + ", EADDRINUSE): the side that closes first keeps each for 60 s (2*MSL, RFC 9293),"
              + " and without SO_REUSEADDR on both the old listening socket and the new one bind"
              + " fails until then; wait a minute, or leave SO_REUSEADDR on (no --no-reuseaddr)",
          e);
    }
    if (!closing.isEmpty()) {
      StringBuilder states = new StringBuilder();
      closing.forEach(
          (state, n) -> states.append(states.isEmpty() ? "" : ", ").append(n + " " + state));
      return new UserError(
          "port "
              + port
              + " is held by connections of a listener that is gone ("
              + states
              + "; "
              + where
              + ", EADDRINUSE): they keep the port until they end (FIN_WAIT2 waits for the peer's"
              + " FIN, at most tcp_fin_timeout, 60 s), and without SO_REUSEADDR on both the old"
              + " listening socket and the new one bind fails until then; wait for them, or leave"
              + " SO_REUSEADDR on (no --no-reuseaddr)",
          e);
    }
    if (errno == Errno.EADDRINUSE) {
      return new UserError(
          "port "
              + port
              + " is already in use ("
              + where
              + ", EADDRINUSE): another server listens there; stop it, choose another --port, "
              + "or use --port 0 for any free port",
          e);
    }
    if (errno == Errno.EACCES) {
      return new UserError(
          "permission denied binding "
              + where
              + " (EACCES): ports below 1024 need root or CAP_NET_BIND_SERVICE; "
              + "use a port of 1024 or more, e.g. --port 0",
          e);
    }
    if (errno == Errno.EADDRNOTAVAIL) {
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
   * The TCP sockets on local port {@code port}, by state, when nothing listens there: then they
   * alone are why bind(2) said EADDRINUSE (a closed server's connections still closing, or still
   * open in a process that closed only its listener). From {@code /proc/net/tcp} and {@code tcp6}
   * ({@code man 5 proc}; the state numbers of the kernel's {@code include/net/tcp_states.h}).
   *
   * @param port the local port, 1-65535
   * @return state name (e.g. {@code TIME_WAIT}, {@code FIN_WAIT2}) to count, in the kernel's order;
   *     empty if a socket listens on the port, none is there, or /proc is unreadable
   */
  public static Map<String, Integer> closingOnly(int port) {
    String hexPort = String.format(":%04X", port);
    Map<String, Integer> byState = new TreeMap<>(Comparator.comparingInt(TCP_STATES::indexOf));
    for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(file))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3 && f[1].endsWith(hexPort)) {
            int state = Integer.parseInt(f[3], 16);
            if (state == LISTEN) {
              return Map.of(); // a live listener: the usual "port in use"
            }
            if (state > 0 && state < TCP_STATES.size()) {
              byState.merge(TCP_STATES.get(state), 1, Integer::sum);
            }
          }
        }
      } catch (IOException | NumberFormatException e) {
        // no /proc (not Linux, or hidden), or a line we do not know: say nothing about it
      }
    }
    return byState;
  }

  /** TCP states by the kernel's numbers ({@code include/net/tcp_states.h}); 0 is unused. */
  private static final List<String> TCP_STATES =
      List.of(
          "",
          "ESTABLISHED",
          "SYN_SENT",
          "SYN_RECV",
          "FIN_WAIT1",
          "FIN_WAIT2",
          "TIME_WAIT",
          "CLOSE",
          "CLOSE_WAIT",
          "LAST_ACK",
          "LISTEN",
          "CLOSING");

  private static final int LISTEN = TCP_STATES.indexOf("LISTEN");

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
    if (errno(e) == Errno.ECONNREFUSED) {
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
    Errno errno = errno(e);
    return errno == Errno.ECONNRESET || errno == Errno.EPIPE;
  }

  private static String lower(Throwable e) {
    return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
  }
}
