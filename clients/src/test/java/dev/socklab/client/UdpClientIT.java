package dev.socklab.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.RunningProcess;
import dev.socklab.udp.UdpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * udp-client as users run it, against in-process UDP servers on loopback. Broadcasts go to the
 * loopback broadcast address 127.255.255.255 only; servers bind the wildcard address because the
 * kernel delivers broadcasts only to wildcard-bound sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpClientIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<UdpServer> servers = new ArrayList<>();

  @AfterEach
  void stopAll() {
    servers.forEach(UdpServer::stop);
  }

  private UdpServer server(int port, InetSocketAddress beaconTo) throws Exception {
    UdpServer s =
        UdpServer.start(
            UdpServer.Config.at(new InetSocketAddress(port))
                .withName("srv" + servers.size())
                .withBeacon(beaconTo, Duration.ofMillis(200)));
    servers.add(s);
    return s;
  }

  private static Proc.Result client(String... args) {
    List<String> a = new ArrayList<>(List.of("udp-client"));
    a.addAll(List.of(args));
    return Proc.run(WAIT, new byte[0], RunningProcess.command(a.toArray(String[]::new)));
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void sendVerifiesTextAndLargestDatagrams() throws Exception {
    int port = server(0, null).localAddress().getPort();
    Proc.Result text = client("send", "127.0.0.1:" + port, "안녕 udp");
    assertThat(text.exit()).as(text.stderr()).isZero();
    assertThat(text.out()).startsWith("안녕 udp\n");
    Proc.Result big = client("send", "127.0.0.1:" + port, "--size", "65507", "--count", "5");
    assertThat(big.exit()).as(big.stderr()).isZero();
    assertThat(big.out())
        .contains("5 datagram(s) of 65507 bytes")
        .contains("all echoed and verified");
  }

  @Test
  void listenSeesBeaconsOnTheLoopbackBroadcast() throws Exception {
    int beaconPort = freeUdpPort();
    try (RunningProcess listener =
        RunningProcess.startCommand(
            RunningProcess.command(
                "udp-client",
                "listen",
                "--port",
                Integer.toString(beaconPort),
                "--count",
                "2",
                "--wait",
                "10s"))) {
      listener.awaitStdout("listening for beacons", WAIT);
      server(0, new InetSocketAddress("127.255.255.255", beaconPort));
      assertThat(listener.waitFor(WAIT)).as(String.join("\n", listener.stderr())).isZero();
      assertThat(listener.stdout())
          .filteredOn(l -> l.contains(" BEACON "))
          .hasSize(2)
          .allSatisfy(l -> assertThat(l).contains("name=srv0").contains("seq="));
    }
  }

  @Test
  void discoverListsBothServersSharingAPortAndFindsOneOnAnotherPort() throws Exception {
    int shared = server(0, null).localAddress().getPort();
    server(shared, null); // SO_REUSEADDR: a second server on the same port
    Proc.Result both =
        client("discover", "--broadcast", "127.255.255.255:" + shared, "--wait", "1s");
    assertThat(both.exit()).as(both.stderr()).isZero();
    assertThat(both.out())
        .contains("name=srv0")
        .contains("name=srv1")
        .contains("2 server(s) answered");

    int other = server(0, null).localAddress().getPort();
    Proc.Result one = client("discover", "--broadcast", "127.255.255.255:" + other, "--wait", "1s");
    assertThat(one.out()).contains("name=srv2").contains("1 server(s) answered");
  }

  @Test
  void aLostDatagramIsSentAgainAndTheThirdTrySucceeds() throws Exception {
    try (DatagramSocket lossy = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Thread peer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      for (int i = 1; i <= 3; i++) {
                        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                        lossy.receive(p);
                        if (i == 3) { // drop the first two, as a congested network would
                          lossy.send(
                              new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                        }
                      }
                    } catch (java.io.IOException e) {
                      // the socket closes when the test ends
                    }
                  });
      Proc.Result r =
          client(
              "send",
              "127.0.0.1:" + lossy.getLocalPort(),
              "ping",
              "--timeout",
              "300ms",
              "--retries",
              "3");
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(r.stderr())
          .contains("socklab udp-client: no reply to datagram 1 within 300 ms, sending again (1/3)")
          .contains("sending again (2/3)")
          .doesNotContain("(3/3)");
      peer.join(5_000);
    }
  }

  @Test
  void nobodyListeningIsOneClearLineAfterRetriesOrAtOnceWhenConnected() throws Exception {
    int port = freeUdpPort();
    Proc.Result r =
        client("send", "127.0.0.1:" + port, "x", "--timeout", "200ms", "--retries", "2");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr().lines().filter(l -> l.startsWith("socklab udp-client: no reply from")))
        .hasSize(1);
    Proc.Result c = client("send", "127.0.0.1:" + port, "x", "--connect");
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.stderr().strip())
        .isEqualTo(
            "socklab udp-client: no UDP server at 127.0.0.1:"
                + port
                + " (ICMP port unreachable) — start one with ./socklab udp-broadcast --port "
                + port);
  }

  @Test
  void sendingToABroadcastAddressWithoutSoBroadcastIsExplained() throws Exception {
    int port = server(0, null).localAddress().getPort();
    Proc.Result r = client("send", "127.255.255.255:" + port, "hi");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr())
        .contains("EACCES")
        .contains("needs SO_BROADCAST")
        .contains("--broadcast");
    Proc.Result ok = client("send", "127.255.255.255:" + port, "hi", "--broadcast");
    // The reply comes from 127.0.0.1, not from the broadcast address it was sent to: reported.
    assertThat(new String(ok.stdout(), UTF_8) + ok.stderr())
        .contains("socklab udp-client: ignored a datagram from 127.0.0.1:" + port);
  }
}
