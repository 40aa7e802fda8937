package dev.socklab.netinfo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.SocketCalls;
import dev.socklab.common.testing.CommandRun;
import dev.socklab.common.testing.TraceRecorder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code socklab sockopt} in this JVM on real sockets: the rows of each kind, {@code --set} and
 * what the kernel kept, connected sockets against listeners the test opens on loopback or a
 * temporary path, and the trace.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SockoptTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void aTcpSocketShowsItsOptionsAndWhereSoTypeComesFrom() {
    String out = ok("sockopt");
    assertThat(out.lines().findFirst())
        .hasValue(
            "a new TCP socket, socket("
                + SocketCalls.inetFamily()
                + ", SOCK_STREAM), neither bound nor connected:");
    assertThat(out)
        .containsPattern("(?m)^SO_TYPE +SOCK_STREAM\\* +socket type .*Java has no SO_TYPE")
        .containsPattern("(?m)^SO_RCVBUF +\\d+ +receive buffer size in bytes")
        .containsPattern("(?m)^SO_SNDBUF +\\d+ +send buffer size in bytes")
        .containsPattern("(?m)^SO_REUSEADDR +0 ")
        .containsPattern("(?m)^SO_KEEPALIVE +0 ")
        .containsPattern("(?m)^SO_LINGER +off ")
        .containsPattern("(?m)^TCP_NODELAY +0 ")
        .containsPattern("(?m)^TCP_KEEPIDLE +\\d+ +seconds idle")
        .containsPattern("(?m)^TCP_KEEPINTVL +\\d+ ")
        .containsPattern("(?m)^TCP_KEEPCNT +\\d+ ")
        .containsPattern("(?m)^IP_TOS +0 ")
        .doesNotContain("SO_BROADCAST", "SO_PEERCRED");
    // IP_TTL is the sysctl's default, and says so.
    if (Files.isReadable(Path.of("/proc/sys/net/ipv4/ip_default_ttl"))) {
      assertThat(out).containsPattern("(?m)^IP_TTL +\\d+\\* +.*Java has no IP_TTL");
    }
  }

  @Test
  void theColumnsAreAligned() {
    List<String> rows = ok("sockopt").lines().filter(l -> l.matches("[A-Z_]+ .*")).toList();
    int value = rows.get(0).indexOf("SOCK_STREAM");
    assertThat(rows).hasSizeGreaterThan(10).allMatch(l -> l.charAt(value - 1) == ' ');
    assertThat(rows).allMatch(l -> l.charAt(value) != ' ');
  }

  @Test
  void aUdpSocketHasSoBroadcast() {
    String out = ok("sockopt", "udp");
    assertThat(out)
        .startsWith("a new UDP socket, socket(" + SocketCalls.inetFamily() + ", SOCK_DGRAM)")
        .containsPattern("(?m)^SO_TYPE +SOCK_DGRAM\\* +.*a DatagramChannel is SOCK_DGRAM")
        .containsPattern("(?m)^SO_BROADCAST +0 +1: sendto may send to a broadcast address")
        .containsPattern("(?m)^SO_RCVBUF +\\d+ ")
        .containsPattern("(?m)^IP_MULTICAST_TTL +1 ")
        .doesNotContain("TCP_NODELAY");
  }

  @Test
  void aUnixSocketHasNoIpOptionsAndPeerCredentialsOnlyOnceConnected() {
    String out = ok("sockopt", "unix");
    assertThat(out)
        .startsWith("a new AF_UNIX stream socket, socket(AF_UNIX, SOCK_STREAM)")
        .containsPattern("(?m)^SO_TYPE +SOCK_STREAM\\* ")
        .containsPattern("(?m)^SO_RCVBUF +\\d+ ")
        .containsPattern("(?m)^SO_PEERCRED +- +.*only on a connected socket")
        .doesNotContain("IP_TTL", "IP_TOS", "TCP_NODELAY");
  }

  @Test
  void setRcvbufReadsBackWhatTheKernelKeptAndSaysWhy() throws Exception {
    String out = ok("sockopt", "--set", "SO_RCVBUF=65536");
    long rmemMax =
        Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).get(0));
    // Linux doubles the size setsockopt asks for (man 7 socket).
    assertThat(out)
        .contains(
            "SO_RCVBUF            131072        set 65536, read back 131072: the kernel doubles"
                + " what setsockopt asks, for its own bookkeeping (man 7 socket); net.core.rmem_max"
                + " = "
                + rmemMax
                + " bytes (/proc/sys/net/core/rmem_max) caps the request");
  }

  @Test
  void setRcvbufAboveRmemMaxIsCappedThenDoubled() throws Exception {
    long rmemMax =
        Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).get(0));
    long asked = Math.min(rmemMax * 4, Integer.MAX_VALUE / 2);
    String out = ok("sockopt", "--set", "SO_RCVBUF=" + asked);
    assertThat(out)
        .containsPattern(
            "(?m)^SO_RCVBUF +"
                + 2 * rmemMax
                + " +set "
                + asked
                + ", read back "
                + 2 * rmemMax
                + ": capped at rmem_max, then doubled \\(man 7 socket\\)");
  }

  @Test
  void setAFlagReadsItBack() {
    String out = ok("sockopt", "--set", "TCP_NODELAY=1", "--set", "SO_LINGER=0");
    assertThat(out)
        .containsPattern("(?m)^TCP_NODELAY +1 +set 1, read back 1$")
        .containsPattern("(?m)^SO_LINGER +0 +set 0, read back 0$");
  }

  @Test
  void aConnectedTcpSocketAgainstARealListener() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(LOOPBACK, 0));
      int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
      String out = ok("sockopt", "tcp", "--connected", "127.0.0.1:" + port);
      assertThat(out.lines().findFirst().orElseThrow())
          .matches(
              "a TCP socket connected from 127\\.0\\.0\\.1:\\d+ to 127\\.0\\.0\\.1:" + port + ":");
      assertThat(out).containsPattern("(?m)^TCP_NODELAY +0 ");
      try (SocketChannel accepted = listener.accept()) { // the handshake really happened
        assertThat(accepted.getRemoteAddress()).isNotNull();
      }
    }
  }

  @Test
  void aConnectedTcpSocketWithNobodyListening() throws Exception {
    int port;
    try (ServerSocketChannel gone = ServerSocketChannel.open()) {
      gone.bind(new InetSocketAddress(LOOPBACK, 0));
      port = ((InetSocketAddress) gone.getLocalAddress()).getPort();
    }
    CommandRun.Result r =
        CommandRun.run(new NetinfoMain(), "sockopt", "--connected", "127.0.0.1:" + port);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("socklab sockopt: no server at 127.0.0.1:" + port + " (ECONNREFUSED)");
  }

  @Test
  void aConnectedUdpSocket() throws Exception {
    try (DatagramChannel peer = DatagramChannel.open()) {
      peer.bind(new InetSocketAddress(LOOPBACK, 0));
      int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
      String out = ok("sockopt", "udp", "--connected", "127.0.0.1:" + port);
      assertThat(out.lines().findFirst().orElseThrow())
          .matches(
              "a UDP socket connected from 127\\.0\\.0\\.1:\\d+ to 127\\.0\\.0\\.1:" + port + ":");
    }
  }

  @Test
  void aConnectedUnixSocketShowsThePeersCredentials(@TempDir Path dir) throws Exception {
    Path sock = dir.resolve("s.sock");
    try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listener.bind(UnixDomainSocketAddress.of(sock));
      String out = ok("sockopt", "unix", "--connected", sock.toString());
      assertThat(out)
          .startsWith("an AF_UNIX stream socket connected to " + sock + ":")
          .containsPattern(
              "(?m)^SO_PEERCRED +user=" + System.getProperty("user.name") + ",group=\\S+ ");
    }
  }

  @Test
  void traceShowsSetsockoptThenGetsockoptWithTheKernelsValue() {
    try (TraceRecorder trace = new TraceRecorder()) {
      ok("sockopt", "--set", "SO_RCVBUF=65536", "--trace");
      TraceRecorder.assertCalls(
          List.of(
              "socket(" + SocketCalls.inetFamily() + ", SOCK_STREAM)",
              "setsockopt(SO_RCVBUF, 65536)",
              "getsockopt(SO_RCVBUF) -> 131072 (Java's getOption: 65536)",
              "getsockopt\\(SO_SNDBUF\\) -> \\d+ \\(Java's getOption: \\d+\\)",
              "getsockopt(SO_REUSEADDR) -> 0",
              ">> the other options >>",
              "getsockopt(TCP_NODELAY) -> 0",
              ">> the other options >>",
              "getsockopt(IP_TOS) -> 0",
              "close()"),
          trace.lines());
    }
  }

  private static String ok(String... args) {
    CommandRun.Result r = CommandRun.run(new NetinfoMain(), args);
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }
}
