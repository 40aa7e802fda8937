package dev.socklab.udp;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.ListenOptions;
import dev.socklab.common.LogOptions;
import dev.socklab.common.LogSetup;
import dev.socklab.common.ServerRun;
import dev.socklab.common.Trace;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./socklab udp-broadcast}: UDP echo, discovery and an optional broadcast beacon. */
@Command(
    name = "socklab udp-broadcast",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    defaultValueProvider = UdpServerCommand.Port.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "UDP server: each datagram comes back to its sender (recvfrom + sendto, RFC 862), up to"
          + " 65,507 bytes, one reply per datagram. A DISCOVER datagram gets an ANNOUNCE; with"
          + " --beacon it broadcasts an announcement every interval (SO_BROADCAST).",
      "",
      "Try it:  echo hi | nc -u -w1 localhost 7007",
      "         ./socklab udp-client send localhost:7007 hello",
      "         ./socklab udp-client discover",
      "           (lists servers on the loopback broadcast)",
      ""
    },
    footer = {
      "",
      "Nothing is sent beyond this host unless you name it: beacons go to 127.255.255.255 by"
          + " default. In a classroom LAN use e.g. --broadcast 255.255.255.255.",
      "Several servers may share one port (SO_REUSEADDR): each receives every broadcast, a"
          + " unicast datagram reaches one of them.",
      "Exit codes: 0 normal (also after SIGINT/SIGTERM), 1 runtime failure, 2 usage error."
    })
public final class UdpServerCommand implements Callable<Integer> {
  /** {@code --port} default. */
  public static final class Port extends ListenOptions.DefaultPort {
    /** The UDP server's default port. */
    public Port() {
      super(Defaults.UDP_PORT);
    }
  }

  @Mixin ListenOptions listen;

  @Option(
      names = "--beacon",
      paramLabel = "INTERVAL",
      arity = "0..1",
      fallbackValue = "2s",
      converter = Durations.class,
      description = "Broadcast an announcement every INTERVAL (default when given: 2s).")
  Duration beacon;

  @Option(
      names = "--broadcast",
      paramLabel = "ADDRESS[:PORT]",
      defaultValue = Defaults.LOOPBACK_BROADCAST + ":" + Defaults.BEACON_PORT,
      description = "Where beacons go (default: ${DEFAULT-VALUE}).")
  String broadcast;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "socklab",
      description = "Name in announcements (default: ${DEFAULT-VALUE}).")
  String name;

  @Mixin LogOptions logging;

  /**
   * Entry point of {@code ./socklab udp-broadcast}.
   *
   * @param args command-line arguments, see {@code --help}
   */
  public static void main(String[] args) {
    LogSetup.startInBackground(); // while picocli reads the command line
    Cli.main(new UdpServerCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    Trace trace = logging.apply();
    InetSocketAddress beaconTo = null;
    if (beacon != null) {
      Endpoints.HostPort hp =
          Endpoints.parse(broadcast, Defaults.LOOPBACK_BROADCAST, Defaults.BEACON_PORT);
      beaconTo = new InetSocketAddress(hp.host(), hp.port());
      if (beaconTo.isUnresolved()) {
        throw new dev.socklab.common.UserError(
            "cannot resolve --broadcast address '" + hp.host() + "'");
      }
    }
    UdpServer.Config config =
        new UdpServer.Config(
            listen.socketAddress(), name, beaconTo, beacon == null ? Duration.ZERO : beacon, trace);
    return ServerRun.untilSignalled(
        "udp-broadcast",
        () -> {
          UdpServer server = UdpServer.start(config);
          InetSocketAddress bound = server.localAddress();
          String b =
              config.beaconTo() == null
                  ? "no beacon"
                  : "beacon every "
                      + Durations.format(config.beaconInterval())
                      + " to "
                      + Endpoints.format(config.beaconTo());
          // Numbers as %s: a first %d loads the locale's digits (CLDR data), 30-40 ms before the
          // banner.
          return new ServerRun.Started(
              String.format(
                  "udp-broadcast listening on %s (UDP echo + discovery, %s) — try: echo hi | nc -u -w1 %s %s",
                  Endpoints.formatIpv4(bound), b, Endpoints.hostToReach(bound), bound.getPort()),
              server.failure(),
              () -> {
                UdpServer.Stats s = server.stop();
                return String.format(
                    "%s echoed (%s), %s answered, %s sent",
                    ServerRun.count(s.echoed(), "datagram", "datagrams"),
                    ServerRun.count(s.bytes(), "byte", "bytes"),
                    ServerRun.count(s.announced(), "discovery", "discoveries"),
                    ServerRun.count(s.beacons(), "beacon", "beacons"));
              });
        });
  }
}
