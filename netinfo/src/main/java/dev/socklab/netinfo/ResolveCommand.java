package dev.socklab.netinfo;

import dev.socklab.common.Cli;
import dev.socklab.common.LogOptions;
import dev.socklab.common.UsageError;
import dev.socklab.common.UserError;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab resolve NAME|ADDRESS}: the course's gethostbyname(3) and gethostbyaddr(3), done
 * as a modern C program does them, with getaddrinfo(3) and getnameinfo(3), through the system
 * resolver ({@link Resolver}).
 *
 * <p>A name prints every address getaddrinfo returns, with its family and its own name
 * (getnameinfo), then the canonical name. A numeric address prints its name. {@code -4} and {@code
 * -6} keep one family; the JDK always asks AF_UNSPEC, so they filter the answer.
 */
@Command(
    name = "resolve",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    description = {
      "Looks a name up as a C program does, through the system resolver (/etc/hosts, then DNS,"
          + " as /etc/nsswitch.conf says): getaddrinfo(3) for a name, every address with its"
          + " family and the name each address has (getnameinfo(3)); getnameinfo(3) for a numeric"
          + " address (the course's gethostbyname and gethostbyaddr; man 3 getaddrinfo, man 3"
          + " getnameinfo).",
      "",
      "What runs is Java's InetAddress.getAllByName and getCanonicalHostName; the JDK calls"
          + " getaddrinfo and getnameinfo underneath. The canonical name is the first address's"
          + " name (Java does not pass on getaddrinfo's ai_canonname). -4 and -6 filter the"
          + " answer: the JDK always asks for AF_UNSPEC. The JDK caches answers"
          + " (networkaddress.cache.ttl: 30 s, failures 10 s); this command turns that off, so"
          + " each run asks the resolver.",
      ""
    },
    footer = {
      "",
      "Examples:  ./socklab resolve localhost",
      "           ./socklab resolve 127.0.0.1",
      "           ./socklab resolve ::1 --trace",
      "           ./socklab resolve localhost -4",
      "Exit codes: 0 found, 1 not found (no such host, no name for the address), 2 usage error."
    })
final class ResolveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "NAME|ADDRESS",
      description = "A host name (localhost, example.org) or an address (127.0.0.1, ::1).")
  String target;

  @Option(names = "-4", description = "IPv4 addresses only (AF_INET).")
  boolean ipv4;

  @Option(names = "-6", description = "IPv6 addresses only (AF_INET6).")
  boolean ipv6;

  @Option(
      names = "--trace",
      description =
          "Print each resolver call as C makes it: getaddrinfo(NAME, NULL, AF_UNSPEC) -> N"
              + " addresses, getnameinfo(ADDRESS, NI_NAMEREQD) -> \"NAME\".")
  boolean trace;

  @Override
  public Integer call() {
    if (ipv4 && ipv6) {
      throw new UsageError("-4 and -6 exclude each other; give neither for both families");
    }
    Resolver resolver = new Resolver(LogOptions.apply(trace, false));
    Optional<InetAddress> numeric = Resolver.numeric(target);
    PrintWriter out = spec.commandLine().getOut();
    if (numeric.isPresent()) {
      reverse(resolver, numeric.get(), out);
    } else {
      forward(resolver, target, out);
    }
    out.flush();
    return Cli.EXIT_OK;
  }

  // gethostbyaddr: the name of one address.
  private void reverse(Resolver resolver, InetAddress address, PrintWriter out) {
    String literal = Resolver.literal(address);
    if (!wanted(address)) {
      throw new UsageError(
          literal
              + " is an "
              + (ipv4 ? "IPv6" : "IPv4")
              + " address, and "
              + (ipv4 ? "-4" : "-6")
              + " asks for "
              + (ipv4 ? "IPv4" : "IPv6")
              + " only");
    }
    String name =
        resolver
            .getnameinfo(address)
            .orElseThrow(
                () ->
                    new UserError(
                        "no name for "
                            + literal
                            + " (EAI_NONAME: not in /etc/hosts and no PTR record in DNS, or a"
                            + " name that does not lead back to it)"));
    out.println(literal + " (" + Resolver.family(address) + ") is " + name);
  }

  // gethostbyname: every address of a name, and each address's own name.
  private void forward(Resolver resolver, String name, PrintWriter out) {
    List<InetAddress> all = resolver.getaddrinfo(name);
    List<InetAddress> kept = new ArrayList<>();
    for (InetAddress a : all) {
      if (wanted(a)) {
        kept.add(a);
      }
    }
    if (kept.isEmpty()) {
      throw new UserError(
          name
              + " has no "
              + (ipv4 ? "IPv4" : "IPv6")
              + " address; getaddrinfo returned only "
              + String.join(", ", all.stream().map(Resolver::literal).toList()));
    }
    out.println(
        name
            + ": "
            + kept.size()
            + (kept.size() == 1 ? " address" : " addresses")
            + (kept.size() < all.size() ? " (of " + all.size() + ")" : ""));
    int width = kept.stream().mapToInt(a -> Resolver.literal(a).length()).max().orElse(0);
    Optional<String> canonical = Optional.empty();
    for (InetAddress a : kept) {
      Optional<String> reverse = resolver.getnameinfo(a);
      if (a == kept.get(0)) {
        canonical = reverse;
      }
      out.printf(
          "  %-8s  %-" + width + "s  %s%n",
          Resolver.family(a),
          Resolver.literal(a),
          reverse.map(n -> "name: " + n).orElse("(no name)"));
    }
    out.println("canonical name: " + canonical.orElse("(none: the first address has no name)"));
  }

  private boolean wanted(InetAddress a) {
    return ipv4 ? a instanceof Inet4Address : !ipv6 || a instanceof Inet6Address;
  }
}
