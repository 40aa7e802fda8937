package dev.socklab.netinfo;

import static java.net.StandardSocketOptions.IP_MULTICAST_LOOP;
import static java.net.StandardSocketOptions.IP_MULTICAST_TTL;
import static java.net.StandardSocketOptions.IP_TOS;
import static java.net.StandardSocketOptions.SO_BROADCAST;
import static java.net.StandardSocketOptions.SO_KEEPALIVE;
import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_RCVBUF;
import static java.net.StandardSocketOptions.SO_REUSEADDR;
import static java.net.StandardSocketOptions.SO_REUSEPORT;
import static java.net.StandardSocketOptions.SO_SNDBUF;
import static java.net.StandardSocketOptions.TCP_NODELAY;
import static jdk.net.ExtendedSocketOptions.SO_INCOMING_NAPI_ID;
import static jdk.net.ExtendedSocketOptions.SO_PEERCRED;
import static jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT;
import static jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE;
import static jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL;
import static jdk.net.ExtendedSocketOptions.TCP_QUICKACK;

import dev.socklab.common.SocketCalls;
import java.net.SocketOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A socket option {@code socklab sockopt} shows: its C name, the Java option that reads it (from
 * {@code java.net.StandardSocketOptions} or, for the Linux extras, {@code
 * jdk.net.ExtendedSocketOptions}), the values {@code --set} accepts and what it means, with its man
 * page. SO_TYPE and IP_TTL have no Java option: {@link SockoptCommand} says where their values come
 * from instead.
 *
 * @param name the C name, e.g. {@code SO_RCVBUF}, {@code TCP_KEEPINTVL}
 * @param option the Java option, or null when Java cannot read it
 * @param min the least value {@code --set} takes (integers; -1 for SO_LINGER's "off")
 * @param max the largest value {@code --set} takes (integers)
 * @param settable whether {@code --set} may set it (not SO_PEERCRED, SO_INCOMING_NAPI_ID)
 * @param meaning what the value means, with its man page
 */
record KnownOption(
    String name, SocketOption<?> option, int min, int max, boolean settable, String meaning) {
  /** The options shown, in the order shown: socket level, then TCP, then IP. */
  static final List<KnownOption> ALL =
      List.of(
          derived("SO_TYPE", "socket type (man 7 socket)"),
          of(
              SO_RCVBUF,
              0,
              Integer.MAX_VALUE,
              "receive buffer size in bytes (the kernel doubles what setsockopt asks, man 7 socket)"),
          of(
              SO_SNDBUF,
              0,
              Integer.MAX_VALUE,
              "send buffer size in bytes (the kernel doubles what setsockopt asks, man 7 socket)"),
          flag(SO_REUSEADDR, "1: bind may reuse a local port still in TIME_WAIT (man 7 socket)"),
          flag(
              SO_REUSEPORT,
              "1: several sockets may bind one port; the kernel spreads the load (man 7 socket)"),
          flag(
              SO_KEEPALIVE,
              "1: probe an idle connection (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT; man 7 socket)"),
          of(
              SO_LINGER,
              -1,
              65535,
              "close(): off = return at once, the kernel sends what is left; N = wait up to N s; 0 = send RST (man 7 socket)"),
          flag(
              SO_BROADCAST,
              "1: sendto may send to a broadcast address, else EACCES (man 7 socket)"),
          readOnly(SO_PEERCRED, "the peer's credentials, the uid and gid Java names (man 7 unix)"),
          readOnly(
              SO_INCOMING_NAPI_ID,
              "the receive queue (NAPI) the last packet came through; 0 = none yet (man 7 socket)"),
          flag(TCP_NODELAY, "1: send small segments at once, no Nagle delay (man 7 tcp)"),
          flag(
              TCP_QUICKACK,
              "1: acknowledge at once rather than delay ACKs; the kernel may turn it off again (man 7 tcp)"),
          of(TCP_KEEPIDLE, 1, 32767, "seconds idle before the first keepalive probe (man 7 tcp)"),
          of(
              TCP_KEEPINTERVAL,
              1,
              32767,
              "seconds between keepalive probes (Java: TCP_KEEPINTERVAL; man 7 tcp)"),
          of(
              TCP_KEEPCOUNT,
              1,
              127,
              "unanswered probes before the connection is dropped (Java: TCP_KEEPCOUNT; man 7 tcp)"),
          derived("IP_TTL", "hops a packet may make before a router drops it (man 7 ip)"),
          of(
              IP_TOS,
              0,
              255,
              "type-of-service byte of each packet (on an AF_INET6 socket the JDK uses IPV6_TCLASS; man 7 ip)"),
          of(
              IP_MULTICAST_TTL,
              0,
              255,
              "hops a multicast datagram may take; 1 = this network only (man 7 ip)"),
          flag(
              IP_MULTICAST_LOOP,
              "1: multicast datagrams sent are delivered to this host too (man 7 ip)"));

  /**
   * @param name a C name ({@code so_rcvbuf} too) or Java's name ({@code TCP_KEEPINTERVAL})
   * @return the option, if socklab knows it
   */
  static Optional<KnownOption> named(String name) {
    String n = name.toUpperCase(Locale.ROOT);
    return ALL.stream()
        .filter(k -> k.name.equals(n) || (k.option != null && k.option.name().equals(n)))
        .findFirst();
  }

  /**
   * @return whether the option is a 0/1 flag
   */
  boolean isFlag() {
    return option != null && option.type() == Boolean.class;
  }

  private static KnownOption of(SocketOption<?> o, int min, int max, String meaning) {
    return new KnownOption(SocketCalls.cName(o), o, min, max, true, meaning);
  }

  private static KnownOption flag(SocketOption<Boolean> o, String meaning) {
    return new KnownOption(SocketCalls.cName(o), o, 0, 1, true, meaning);
  }

  private static KnownOption readOnly(SocketOption<?> o, String meaning) {
    return new KnownOption(SocketCalls.cName(o), o, 0, 0, false, meaning);
  }

  private static KnownOption derived(String name, String meaning) {
    return new KnownOption(name, null, 0, 0, false, meaning);
  }
}
