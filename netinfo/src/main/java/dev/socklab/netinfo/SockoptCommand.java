package dev.socklab.netinfo;

import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_RCVBUF;
import static java.net.StandardSocketOptions.SO_SNDBUF;
import static jdk.net.ExtendedSocketOptions.SO_PEERCRED;

import dev.socklab.common.Cli;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.LogOptions;
import dev.socklab.common.NetErrors;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.UsageError;
import dev.socklab.common.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import jdk.net.UnixDomainPrincipal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab sockopt [tcp|udp|unix]}: the options of a fresh socket, one line each, as
 * getsockopt(2) reports them, with what each means ({@link KnownOption}). {@code --set} makes a
 * setsockopt(2) first and shows what the kernel kept; {@code --connected} shows a connected
 * socket's options.
 *
 * <p>Where a value comes from is said on its line: SO_TYPE follows from the channel's class and
 * IP_TTL from a sysctl (Java reads neither); SO_RCVBUF and SO_SNDBUF are the kernel's values, which
 * Java reports halved ({@link SocketCalls#kernelValue}).
 */
@Command(
    name = "sockopt",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    description = {
      "Makes a socket and prints its options as getsockopt(2) reports them, one line each with"
          + " what it means (man 7 socket, man 7 tcp, man 7 ip, man 7 unix).",
      "",
      "What runs is Java's getOption and setOption on a SocketChannel or DatagramChannel, which"
          + " make getsockopt and setsockopt; the Linux extras (TCP_KEEPIDLE, TCP_QUICKACK,"
          + " SO_PEERCRED...) come from jdk.net.ExtendedSocketOptions. A value Java cannot read is"
          + " marked * with where it comes from.",
      ""
    },
    footer = {
      "",
      "Examples:  ./socklab sockopt",
      "           ./socklab sockopt udp --set SO_BROADCAST=1",
      "           ./socklab sockopt tcp --set SO_RCVBUF=65536 --trace",
      "           ./socklab sockopt tcp --connected 127.0.0.1:7007",
      "           ./socklab sockopt unix --connected /tmp/socklab-1000/echo.sock",
      "Exit codes: 0 shown, 1 the socket could not be made or connected, or the kernel refused a"
          + " --set, 2 usage error."
    })
final class SockoptCommand implements Callable<Integer> {
  /** The socket to make. */
  enum Kind {
    /** socket(AF_INET6, SOCK_STREAM). */
    TCP,
    /** socket(AF_INET6, SOCK_DGRAM). */
    UDP,
    /** socket(AF_UNIX, SOCK_STREAM). */
    UNIX
  }

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "KIND",
      defaultValue = "tcp",
      description = "tcp (default), udp or unix.")
  Kind kind;

  @Option(
      names = "--set",
      paramLabel = "NAME=VALUE",
      description =
          "setsockopt(2) first, then show what getsockopt reads back (repeatable): SO_RCVBUF=65536,"
              + " TCP_NODELAY=1, SO_LINGER=off, TCP_KEEPIDLE=60...")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--connected",
      paramLabel = "HOST:PORT|PATH",
      description =
          "Connect first (tcp, udp: HOST:PORT; unix: the socket file) and show the connected"
              + " socket's options.")
  String connected;

  @Option(
      names = "--trace",
      description =
          "Print each call as C makes it: socket, setsockopt, connect, getsockopt(NAME) -> value,"
              + " close.")
  boolean trace;

  @Override
  public Integer call() {
    Map<KnownOption, Object> wanted = parseSets();
    SocketCalls calls = new SocketCalls(LogOptions.apply(trace, false));
    NetworkChannel ch = open(calls);
    try {
      checkSupported(ch, wanted.keySet());
      for (Map.Entry<KnownOption, Object> s : wanted.entrySet()) {
        setsockopt(calls, ch, s.getKey(), s.getValue());
      }
      String what = connected == null ? fresh() : connect(calls, ch);
      print(what, rows(calls, ch, wanted));
    } finally {
      calls.close(ch);
    }
    return Cli.EXIT_OK;
  }

  // ---- the socket --------------------------------------------------------------------------

  private NetworkChannel open(SocketCalls calls) {
    try {
      return switch (kind) {
        case TCP -> calls.tcpSocket(); // socket(AF_INET6, SOCK_STREAM, 0)
        case UDP -> calls.datagramChannel(); // socket(AF_INET6, SOCK_DGRAM, 0)
        case UNIX -> calls.unixSocket(); // socket(AF_UNIX, SOCK_STREAM, 0)
      };
    } catch (IOException e) {
      throw new UserError("cannot make a " + name() + " socket: " + e.getMessage(), e);
    }
  }

  private String fresh() {
    String family = kind == Kind.UNIX ? "AF_UNIX" : SocketCalls.inetFamily();
    String type = kind == Kind.UDP ? "SOCK_DGRAM" : "SOCK_STREAM";
    return "a new "
        + label()
        + " socket, socket("
        + family
        + ", "
        + type
        + "), neither bound nor connected";
  }

  // connect(2), and the line that says from where to where.
  private String connect(SocketCalls calls, NetworkChannel ch) {
    if (kind == Kind.UNIX) {
      UnixDomainSocketAddress path = UnixDomainSocketAddress.of(Path.of(connected));
      try {
        calls.connect((SocketChannel) ch, path);
      } catch (IOException e) {
        NetErrors.Errno errno = NetErrors.errno(e);
        throw new UserError(
            "cannot connect to "
                + connected
                + (errno == null ? "" : " (" + errno + ")")
                + ": "
                + e.getMessage(),
            e);
      }
      return "an " + label() + " socket connected to " + connected;
    }
    HostPort hp;
    try {
      hp = Endpoints.parse(connected, "localhost", 0);
    } catch (UsageError e) {
      throw new UsageError(
          "--connected takes HOST:PORT for a "
              + name()
              + " socket, e.g. 127.0.0.1:7007 ("
              + e.getMessage()
              + ")");
    }
    InetAddress address =
        Resolver.numeric(hp.host())
            .orElseGet(() -> new Resolver(calls.trace()).getaddrinfo(hp.host()).get(0));
    InetSocketAddress peer = new InetSocketAddress(address, hp.port());
    try {
      if (ch instanceof DatagramChannel dc) {
        calls.connect(dc, peer); // sends nothing: only fixes the peer
      } else {
        calls.connect((SocketChannel) ch, peer);
      }
      return "a "
          + label()
          + " socket connected from "
          + Endpoints.format(ch.getLocalAddress())
          + " to "
          + Endpoints.format(peer);
    } catch (IOException e) {
      throw NetErrors.connectFailed(
          e, hp, "a server there, e.g. ./socklab echo-server --port " + hp.port());
    }
  }

  // ---- --set -------------------------------------------------------------------------------

  // NAME=VALUE, each checked against what socklab knows, before any socket is made.
  private Map<KnownOption, Object> parseSets() {
    Map<KnownOption, Object> wanted = new LinkedHashMap<>();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new UsageError("--set takes NAME=VALUE, e.g. SO_RCVBUF=65536, not '" + s + "'");
      }
      String name = s.substring(0, eq).strip();
      KnownOption k =
          KnownOption.named(name)
              .orElseThrow(
                  () ->
                      new UsageError(
                          "no socket option '" + name + "'; --set knows " + settableNames()));
      if (!k.settable()) {
        throw new UsageError(
            k.name()
                + " can only be read"
                + (k.option() == null ? " (and Java cannot read it either)" : "")
                + "; --set knows "
                + settableNames());
      }
      wanted.put(k, value(k, s.substring(eq + 1).strip()));
    }
    return wanted;
  }

  private static Object value(KnownOption k, String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (k.isFlag()) {
      return switch (t) {
        case "1", "on", "true", "yes" -> Boolean.TRUE;
        case "0", "off", "false", "no" -> Boolean.FALSE;
        default -> throw new UsageError(k.name() + " is 0 or 1 (off or on), not '" + text + "'");
      };
    }
    if (k.option() == SO_LINGER && t.equals("off")) {
      return -1; // l_onoff = 0
    }
    int v;
    try {
      v = Integer.parseInt(t);
    } catch (NumberFormatException e) {
      v = Integer.MIN_VALUE; // reported below
    }
    if (v < k.min() || v > k.max()) {
      throw new UsageError(k.name() + " must be " + range(k) + ", not '" + text + "'");
    }
    return v;
  }

  private static String range(KnownOption k) {
    if (k.option() == SO_LINGER) {
      return "off or 0-" + k.max() + " seconds";
    }
    return k.max() == Integer.MAX_VALUE ? k.min() + " or more" : k.min() + "-" + k.max();
  }

  private void checkSupported(NetworkChannel ch, Iterable<KnownOption> wanted) {
    for (KnownOption k : wanted) {
      if (!ch.supportedOptions().contains(k.option())) {
        throw new UsageError(
            k.name() + " is not an option of a " + name() + " socket; it has " + settableNames(ch));
      }
    }
  }

  @SuppressWarnings("unchecked") // the value was parsed for this option's type
  private static <T> void setsockopt(
      SocketCalls calls, NetworkChannel ch, KnownOption k, Object value) {
    try {
      calls.setsockopt(ch, (SocketOption<T>) k.option(), (T) value);
    } catch (IOException e) {
      throw new UserError(
          "the kernel refused " + k.name() + "=" + value + ": " + e.getMessage(), e);
    }
  }

  // ---- getsockopt --------------------------------------------------------------------------

  /** One line of the table: name, value, meaning. */
  private record Row(String name, String value, String meaning) {}

  private List<Row> rows(SocketCalls calls, NetworkChannel ch, Map<KnownOption, Object> set) {
    List<Row> rows = new ArrayList<>();
    for (KnownOption k : KnownOption.ALL) {
      if (k.option() == null) {
        derived(k).ifPresent(rows::add);
      } else if (ch.supportedOptions().contains(k.option())) {
        rows.add(read(calls, ch, k, set));
      }
    }
    return rows;
  }

  // The rows Java cannot read, marked * with where the value comes from.
  private Optional<Row> derived(KnownOption k) {
    if (k.name().equals("SO_TYPE")) {
      String type = kind == Kind.UDP ? "SOCK_DGRAM" : "SOCK_STREAM";
      String cls = kind == Kind.UDP ? "DatagramChannel" : "SocketChannel";
      return Optional.of(
          new Row(
              k.name(),
              type + "*",
              k.meaning() + "; * not read: Java has no SO_TYPE, a " + cls + " is " + type));
    }
    // IP_TTL: a socket nobody set it on uses the sysctl's value.
    Path ttl = Path.of("/proc/sys/net/ipv4/ip_default_ttl");
    if (kind == Kind.UNIX) {
      return Optional.empty();
    }
    return sysctl(ttl)
        .map(
            v ->
                new Row(
                    k.name(),
                    v + "*",
                    k.meaning() + "; * not read: Java has no IP_TTL, the default is " + ttl));
  }

  private Row read(
      SocketCalls calls, NetworkChannel ch, KnownOption k, Map<KnownOption, Object> set) {
    if (k.option() == SO_PEERCRED && connected == null) {
      return new Row(k.name(), "-", k.meaning() + "; only on a connected socket: --connected PATH");
    }
    Object v;
    try {
      v = calls.getsockopt(ch, k.option());
    } catch (IOException e) {
      return new Row(k.name(), "?", "getsockopt failed: " + e.getMessage());
    }
    Object got = SocketCalls.kernelValue(k.option(), v);
    String shown = show(got);
    return new Row(k.name(), shown, set.containsKey(k) ? setNote(k, set.get(k), got) : k.meaning());
  }

  private static String show(Object v) {
    if (v instanceof Boolean b) {
      return b ? "1" : "0";
    }
    if (v instanceof UnixDomainPrincipal p) {
      return "user=" + p.user().getName() + ",group=" + p.group().getName();
    }
    if (v instanceof Integer i && i < 0) {
      return "off"; // SO_LINGER: l_onoff = 0
    }
    return String.valueOf(v);
  }

  // What --set asked and what the kernel kept, and why they differ.
  private static String setNote(KnownOption k, Object asked, Object got) {
    String head = "set " + show(asked) + ", read back " + show(got);
    if (k.option() == SO_RCVBUF || k.option() == SO_SNDBUF) {
      return head + ": " + bufferNote(k, (Integer) asked, (Integer) got);
    }
    return head + (show(asked).equals(show(got)) ? "" : ": the kernel changed it");
  }

  /**
   * Why a buffer size read back differs from the one asked for: Linux doubles it, after capping it
   * at net.core.rmem_max (wmem_max for SO_SNDBUF), and raises it to a minimum ({@code man 7
   * socket}).
   */
  private static String bufferNote(KnownOption k, int asked, int got) {
    String sysctl = k.option() == SO_RCVBUF ? "rmem_max" : "wmem_max";
    Path file = Path.of("/proc/sys/net/core/" + sysctl);
    Optional<Long> max = sysctl(file);
    String cap =
        max.map(m -> "net.core." + sysctl + " = " + m + " bytes (" + file + ") caps the request")
            .orElse("net.core." + sysctl + " caps the request (" + file + " is unreadable)");
    long limit = max.orElse(Long.MAX_VALUE);
    String why;
    if (got == 2L * asked) {
      why = "the kernel doubles what setsockopt asks, for its own bookkeeping (man 7 socket)";
    } else if (asked > limit && got == 2 * limit) {
      why = "capped at " + sysctl + ", then doubled (man 7 socket)";
    } else if (got > 2L * asked) {
      why = "raised to the kernel's minimum (man 7 socket)";
    } else {
      why = "the kernel chose it";
    }
    return why + "; " + cap;
  }

  private static Optional<Long> sysctl(Path file) {
    try {
      // Read as a stream: a /proc file's size is not its length (readString may stop short).
      return Optional.of(Long.parseLong(Files.readAllLines(file).get(0).strip()));
    } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
      return Optional.empty();
    }
  }

  // ---- output ------------------------------------------------------------------------------

  private void print(String what, List<Row> rows) {
    PrintWriter out = spec.commandLine().getOut();
    out.println(what + ":");
    int nw = rows.stream().mapToInt(r -> r.name().length()).max().orElse(0);
    int vw = rows.stream().mapToInt(r -> r.value().length()).max().orElse(0);
    for (Row r : rows) {
      out.printf("%-" + nw + "s  %-" + vw + "s  %s%n", r.name(), r.value(), r.meaning());
    }
    if (rows.stream().anyMatch(r -> r.name().equals("SO_RCVBUF"))) {
      out.println(
          "Buffer sizes are what getsockopt(2) returns; Java's getOption reports half of them"
              + " (the JDK halves SO_RCVBUF and SO_SNDBUF on Linux, so Java reads back what it"
              + " set).");
    }
    out.flush();
  }

  private String label() {
    return kind == Kind.UNIX ? "AF_UNIX stream" : kind.name();
  }

  private String name() {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  // The options --set knows, for any socket.
  private static String settableNames() {
    return KnownOption.ALL.stream()
        .filter(KnownOption::settable)
        .map(KnownOption::name)
        .collect(Collectors.joining(", "));
  }

  // The options --set knows that this socket has.
  private static String settableNames(NetworkChannel ch) {
    return KnownOption.ALL.stream()
        .filter(k -> k.settable() && ch.supportedOptions().contains(k.option()))
        .map(KnownOption::name)
        .collect(Collectors.joining(", "));
  }
}
