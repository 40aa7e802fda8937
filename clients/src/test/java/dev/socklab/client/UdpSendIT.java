package dev.socklab.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * udp-client run in-process (as {@code ./socklab} runs it, under {@link ClientMain}): usage errors
 * name the whole command, and {@code send} against peers on loopback that misbehave in the ways a
 * network can (a duplicated reply) or a broken server can (a reply that differs).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpSendIT {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int udpClient(String... args) {
    List<String> all = new ArrayList<>(List.of("udp-client"));
    all.addAll(List.of(args));
    return Cli.commandLine(new ClientMain())
        .setOut(new PrintWriter(out, true, UTF_8))
        .setErr(new PrintWriter(err, true, UTF_8))
        .execute(all.toArray(String[]::new));
  }

  private String stderr() {
    return err.toString(UTF_8);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "send   | --size    | -1    | --size must be 0-65507 bytes (the IPv4 UDP maximum), not -1",
        "send   | --size    | 65508 | --size must be 0-65507 bytes (the IPv4 UDP maximum), not 65508",
        "send   | --count   | 0     | --count must be 1 or more, not 0",
        "send   | --retries | -1    | --retries must be 0 or more, not -1",
        "listen | --port    | 70000 | --port must be 0-65535, not 70000",
      })
  void aBadValueIsAUsageErrorNamingTheWholeCommand(
      String sub, String option, String value, String why) {
    assertThat(udpClient(sub, option, value)).isEqualTo(Cli.EXIT_USAGE);
    assertThat(stderr().lines().toList())
        .containsExactly(
            "socklab udp-client " + sub + ": " + why,
            "Try 'socklab udp-client " + sub + " --help' for more information.");
    assertThat(out.toString(UTF_8)).isEmpty();
  }

  @Test
  void noSubcommandIsAUsageErrorNamingUdpClient() {
    assertThat(udpClient()).isEqualTo(Cli.EXIT_USAGE);
    assertThat(stderr())
        .startsWith("socklab udp-client: name a subcommand: send, listen or discover")
        .doesNotContain("Exception");
  }

  /** A loopback peer that answers each datagram it receives with what {@code reply} returns. */
  private static DatagramSocket peer(Function<byte[], List<byte[]>> reply) throws IOException {
    DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (true) {
                  DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                  peer.receive(p); // ends with an exception when the test closes the socket
                  byte[] got = Arrays.copyOf(p.getData(), p.getLength());
                  for (byte[] answer : reply.apply(got)) {
                    peer.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                  }
                }
              } catch (IOException e) {
                // closed: the test is over
              }
            });
    return peer;
  }

  @Test
  void aDuplicatedReplyIsIgnoredNotTakenForTheNextOne() throws Exception {
    // Each echo arrives twice, as a network may deliver it: the copy of datagram 1 is waiting
    // when datagram 2's reply is expected, and must not fail the byte-for-byte check.
    try (DatagramSocket twice = peer(got -> List.of(got, got))) {
      int exit = udpClient("send", "127.0.0.1:" + twice.getLocalPort(), "--count", "3");
      assertThat(exit).as(stderr()).isZero();
      assertThat(stderr().lines())
          .containsExactly(
              "socklab udp-client: ignored a late reply to the previous datagram (64 bytes)",
              "socklab udp-client: ignored a late reply to the previous datagram (64 bytes)");
      assertThat(out.toString(UTF_8))
          .isEqualTo(
              "socklab udp-client: 3 datagram(s) of 64 bytes to 127.0.0.1:"
                  + twice.getLocalPort()
                  + ": all echoed and verified\n");
    }
  }

  @Test
  void aReplyThatDiffersIsAMismatchNotARetry() throws Exception {
    try (DatagramSocket broken = peer(got -> List.of(new byte[] {1, 2, 3}))) {
      int exit = udpClient("send", "127.0.0.1:" + broken.getLocalPort(), "hello");
      assertThat(exit).isEqualTo(Cli.EXIT_FAILURE);
      assertThat(stderr().strip())
          .isEqualTo(
              "socklab udp-client: datagram 1: the reply (3 bytes) differs from what was sent"
                  + " (5 bytes)");
    }
  }
}
