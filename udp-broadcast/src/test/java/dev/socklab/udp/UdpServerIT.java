package dev.socklab.udp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.Proc;
import dev.socklab.common.testing.Tools;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The UDP server in this JVM, through real datagram sockets, nc and socat on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpServerIT {
  private UdpServer server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    server =
        UdpServer.start(
            UdpServer.Config.at(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withName("test"));
    port = server.localAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void netcatGetsItsDatagramBack() {
    Tools.requireOpenBsdNetcat();
    Proc.Result r =
        Proc.run(
            Duration.ofSeconds(20),
            "hi\n".getBytes(US_ASCII),
            List.of("nc", "-u", "-w1", "127.0.0.1", Integer.toString(port)));
    assertThat(r.out()).isEqualTo("hi\n");
  }

  @Test
  void socatGetsItsDatagramBack() {
    Tools.requireSocat();
    Proc.Result r =
        Proc.run(
            Duration.ofSeconds(20),
            "hi\n".getBytes(US_ASCII),
            List.of("socat", "-T", "1", "-", "UDP:127.0.0.1:" + port));
    assertThat(r.out()).isEqualTo("hi\n");
  }

  @Test
  void eachDatagramComesBackWholeWithItsBoundaryKept() throws Exception {
    Random random = new Random(768);
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(5_000);
      for (int size : new int[] {0, 1, 1400, 1473, 8192, UdpServer.MAX_DATAGRAM}) {
        byte[] sent = new byte[size];
        random.nextBytes(sent);
        s.send(new DatagramPacket(sent, size, InetAddress.getLoopbackAddress(), port));
        byte[] buf = new byte[70_000];
        DatagramPacket got = new DatagramPacket(buf, buf.length);
        s.receive(got);
        assertThat(got.getLength()).as("size %d", size).isEqualTo(size);
        assertThat(Arrays.copyOf(buf, got.getLength())).isEqualTo(sent);
      }
    }
  }

  @Test
  void thousandDatagramsFromTenSendersEachComeBackToTheirOwnSender() throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> done = new ArrayList<>();
      for (int sender = 0; sender < 10; sender++) {
        int id = sender;
        done.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    s.setSoTimeout(200);
                    for (int i = 0; i < 100; i++) {
                      byte[] msg = ("sender " + id + " datagram " + i).getBytes(US_ASCII);
                      for (int attempt = 0;
                          attempt < 20;
                          attempt++) { // UDP may drop: retry, bounded
                        s.send(
                            new DatagramPacket(
                                msg, msg.length, InetAddress.getLoopbackAddress(), port));
                        DatagramPacket got = new DatagramPacket(new byte[100], 100);
                        try {
                          s.receive(got);
                        } catch (java.net.SocketTimeoutException e) {
                          continue;
                        }
                        String reply = new String(got.getData(), 0, got.getLength(), US_ASCII);
                        assertThat(reply).startsWith("sender " + id + " "); // never another's
                        if (reply.equals(new String(msg, US_ASCII))) {
                          ok++;
                          break;
                        }
                      }
                    }
                  }
                  return ok;
                }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(100);
      }
    }
  }

  @Test
  void discoverIsAnsweredWithAnAnnounce() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(5_000);
      byte[] ask =
          new Wire(Wire.Type.DISCOVER, 0, 7, System.currentTimeMillis(), java.util.Map.of())
              .encode();
      s.send(new DatagramPacket(ask, ask.length, InetAddress.getLoopbackAddress(), port));
      DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
      s.receive(got);
      Wire w =
          Wire.decode(java.nio.ByteBuffer.wrap(got.getData(), 0, got.getLength())).orElseThrow();
      assertThat(w.type()).isEqualTo(Wire.Type.ANNOUNCE);
      assertThat(w.fields())
          .containsEntry("name", "test")
          .containsEntry("udp_port", Integer.toString(port))
          .containsKey("instance");
    }
  }
}
