package dev.socklab.netinfo;

import dev.socklab.common.Cli;
import java.security.Security;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of the netinfo jar: {@code ./socklab resolve localhost} runs {@code java -jar
 * netinfo.jar resolve localhost}, as the clients' jar takes the client's name first.
 */
@Command(
    name = "socklab",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    description = "Names and socket options: resolve (getaddrinfo), sockopt (getsockopt).",
    subcommands = {ResolveCommand.class, SockoptCommand.class})
public final class NetinfoMain implements Runnable {
  @Spec CommandSpec spec;

  /**
   * @param args a command's name and its arguments, e.g. {@code resolve localhost}
   */
  public static void main(String[] args) {
    // Before anything touches InetAddress, which reads these once:
    // - every look-up asks the system resolver, none is answered from the JDK's cache (by default
    //   30 s for a found name, 10 s for a failed one), so --trace shows calls that were made;
    // - addresses keep getaddrinfo's order (RFC 6724, /etc/gai.conf), not the JDK's IPv4 first.
    Security.setProperty("networkaddress.cache.ttl", "0");
    Security.setProperty("networkaddress.cache.negative.ttl", "0");
    System.setProperty("java.net.preferIPv6Addresses", "system");
    Cli.main(new NetinfoMain(), args);
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a command: resolve or sockopt");
  }
}
