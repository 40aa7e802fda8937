package dev.socklab.common;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --bind} and {@code --port}: where a TCP or UDP server listens.
 *
 * <p>Each server names its well-known port (docs/architecture.md, "Defaults") with a {@link
 * DefaultPort} subclass as its {@code defaultValueProvider}, so {@code --help} shows the real
 * default.
 */
public final class ListenOptions {
  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description =
          "Local address to listen on: an IP address or a host name. Default: all interfaces (IPv4"
              + " and IPv6). Use 127.0.0.1 or ::1 to stay on this host.")
  String bind;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description =
          "Port to listen on, 0-65535 (default: ${DEFAULT-VALUE}). 0 asks the kernel for any free"
              + " (ephemeral) port; the banner prints the one bound.")
  int port;

  /**
   * The address to pass to bind(2).
   *
   * @return the wildcard address (all interfaces) when {@code --bind} is not given, otherwise the
   *     resolved {@code --bind} address, with the chosen port
   * @throws UsageError if the port is outside 0-65535
   * @throws UserError if {@code --bind} cannot be resolved
   */
  public InetSocketAddress socketAddress() {
    if (port < 0 || port > 65535) {
      throw new UsageError("--port must be 0-65535 (0 = any free port), not " + port);
    }
    if (bind == null || bind.isBlank()) {
      return new InetSocketAddress(port); // INADDR_ANY / in6addr_any
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(stripBrackets(bind)), port);
    } catch (UnknownHostException e) {
      throw new UserError(
          "cannot resolve --bind address '" + bind + "': use an IP address such as 127.0.0.1", e);
    }
  }

  static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * Supplies a server's well-known port as the default of {@code --port}. Subclass it with a
   * no-argument constructor and name the subclass in {@code @Command(defaultValueProvider = ...)}.
   */
  public abstract static class DefaultPort implements IDefaultValueProvider {
    private final int port;

    /**
     * @param port the server's well-known port, 1-65535
     */
    protected DefaultPort(int port) {
      this.port = port;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
      if (arg instanceof OptionSpec option && option.longestName().equals("--port")) {
        return Integer.toString(port);
      }
      return null;
    }
  }
}
