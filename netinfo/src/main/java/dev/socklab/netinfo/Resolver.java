package dev.socklab.netinfo;

import dev.socklab.common.NetErrors;
import dev.socklab.common.NetErrors.Gai;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.UsageError;
import dev.socklab.common.UserError;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The system resolver as the course's C calls it, made through the Java calls that reach it: the
 * JDK's built-in resolver calls getaddrinfo(3) for {@link InetAddress#getAllByName} and
 * getnameinfo(3) for {@link InetAddress#getCanonicalHostName}, so /etc/hosts, DNS and every other
 * source in /etc/nsswitch.conf answer as they answer {@code getent ahosts}. Each method makes one
 * look-up and writes its {@code --trace} line, named as in C.
 *
 * <p>What Java does not pass on: getaddrinfo's {@code ai_canonname} (so the canonical name here is
 * the name of the first address, as the JDK's {@code getCanonicalHostName} defines it) and the
 * {@code EAI_*} code (recognised from its text, {@link NetErrors#gaiError}). getaddrinfo returns
 * one entry per socket type; the JDK keeps one per address.
 */
final class Resolver {
  // A host name: dot-separated labels of letters, digits, '-' and '_' (RFC 1123, and the '_' that
  // /etc/hosts and DNS accept in practice), each 1-63 characters, not starting or ending with '-'.
  private static final Pattern NAME =
      Pattern.compile(
          "(?=.{1,253}\\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)"
              + "(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
  private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

  private final Trace trace;

  /**
   * @param trace where the calls are traced; {@link Trace#disabled()} for none
   */
  Resolver(Trace trace) {
    this.trace = trace;
  }

  /**
   * getaddrinfo(NAME, NULL, AF_UNSPEC): every address of a name, through {@link
   * InetAddress#getAllByName}.
   *
   * @param name a host name (not a numeric address: that needs no look-up)
   * @return its addresses, in the order the JDK returns them (getaddrinfo's own order when {@code
   *     java.net.preferIPv6Addresses=system}, as {@link NetinfoMain} sets it)
   * @throws UserError EAI_NONAME (no such host), EAI_AGAIN (the DNS server did not answer), ...:
   *     one line naming the error
   */
  List<InetAddress> getaddrinfo(String name) {
    String call = "getaddrinfo(\"" + name + "\", NULL, " + family() + ")";
    try {
      List<InetAddress> all = List.of(InetAddress.getAllByName(name));
      trace.call(call + " -> " + count(all.size()) + ": " + literals(all.stream()));
      return all;
    } catch (UnknownHostException e) {
      Gai gai = NetErrors.gaiError(e);
      trace.call(call + " -> " + (gai == null ? "error" : gai) + " (" + e.getMessage() + ")");
      throw notFound(name, gai, e);
    }
  }

  /**
   * getnameinfo(ADDRESS, NI_NAMEREQD): the name of an address (C's gethostbyaddr), through {@link
   * InetAddress#getCanonicalHostName}. The JDK then looks the name up again and keeps it only if it
   * leads back to the address (against forged PTR records), so "no name" means either.
   *
   * @param address the address
   * @return its name, or empty when it has none (EAI_NONAME) or the name does not lead back
   */
  Optional<String> getnameinfo(InetAddress address) {
    String literal = literal(address);
    String call = "getnameinfo(" + literal + ", NI_NAMEREQD)";
    String name = address.getCanonicalHostName();
    // The JDK answers "no name" with the address as text.
    if (name.equals(address.getHostAddress()) || name.equals(literal)) {
      trace.call(
          call + " -> EAI_NONAME (no name, or one that does not lead back to " + literal + ")");
      return Optional.empty();
    }
    trace.call(call + " -> \"" + name + "\"");
    return Optional.of(name);
  }

  /**
   * The address {@code text} spells, if it is numeric; parsing it makes no look-up (as getaddrinfo
   * with AI_NUMERICHOST would not).
   *
   * @param text what the user typed: a name, {@code 127.0.0.1}, {@code ::1} or {@code [::1]}
   * @return the address, or empty for a well-formed host name
   * @throws UsageError if it is neither a numeric address nor a well-formed host name
   */
  static Optional<InetAddress> numeric(String text) {
    String t =
        text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (t.indexOf(':') >= 0) {
      try {
        return Optional.of(InetAddress.getByName(t)); // an IPv6 literal: parsed, never looked up
      } catch (UnknownHostException e) {
        throw new UsageError("'" + text + "' is not an IPv6 address (RFC 4291: e.g. ::1, fe80::1)");
      }
    }
    if (DIGITS_AND_DOTS.matcher(t).matches()) {
      if (!IPV4.matcher(t).matches()) {
        throw new UsageError(
            "'" + text + "' is not an IPv4 address: four numbers 0-255, e.g. 127.0.0.1");
      }
      try {
        return Optional.of(InetAddress.getByName(t)); // dotted quad: parsed, never looked up
      } catch (UnknownHostException e) {
        throw new IllegalStateException("a checked IPv4 literal did not parse: " + t, e);
      }
    }
    if (!NAME.matcher(t).matches()) {
      throw new UsageError(
          "'"
              + text
              + "' is not a host name: labels of letters, digits, '-' and '_' (1-63 each, 253 in"
              + " all) separated by dots (RFC 1123)");
    }
    return Optional.empty();
  }

  /**
   * @param a an address
   * @return {@code AF_INET} or {@code AF_INET6}
   */
  static String family(InetAddress a) {
    return a instanceof Inet6Address ? "AF_INET6" : "AF_INET";
  }

  /**
   * An address as {@code inet_ntop} writes it: {@code ::1}, not Java's {@code 0:0:0:0:0:0:0:1}.
   *
   * @param a an address
   * @return e.g. {@code 127.0.0.1}, {@code ::1} (without a zone)
   */
  static String literal(InetAddress a) {
    String s = dev.socklab.common.Endpoints.format(new java.net.InetSocketAddress(a, 0));
    s = s.substring(0, s.lastIndexOf(':'));
    return s.startsWith("[") ? s.substring(1, s.length() - 1) : s;
  }

  // The family the JDK asks for: AF_UNSPEC, or AF_INET when it uses IPv4 only.
  private static String family() {
    return SocketCalls.inetFamily().equals("AF_INET") ? "AF_INET" : "AF_UNSPEC";
  }

  private static String count(int n) {
    return n + (n == 1 ? " address" : " addresses");
  }

  private static String literals(Stream<InetAddress> all) {
    return all.map(Resolver::literal).collect(Collectors.joining(", "));
  }

  // One line per getaddrinfo error, as `socklab resolve: ...` prints it.
  private static UserError notFound(String name, Gai gai, UnknownHostException e) {
    if (gai == null) {
      // The JDK's cache of failed look-ups answers with the name alone (networkaddress.cache.
      // negative.ttl, 10 s by default); ./socklab resolve turns that cache off.
      return new UserError("no such host: " + name + " (the JDK's cache of failed look-ups)", e);
    }
    return switch (gai) {
      case EAI_NONAME -> new UserError("no such host: " + name + " (EAI_NONAME)", e);
      case EAI_NODATA, EAI_ADDRFAMILY ->
          new UserError(name + " exists but has no address (" + gai + ")", e);
      case EAI_AGAIN ->
          new UserError(
              "cannot look up "
                  + name
                  + " now (EAI_AGAIN): the DNS server did not answer; see /etc/resolv.conf",
              e);
      default -> new UserError("cannot look up " + name + " (" + gai + "): " + e.getMessage(), e);
    };
  }
}
