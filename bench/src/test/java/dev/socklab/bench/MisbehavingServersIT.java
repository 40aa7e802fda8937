package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * bench against servers with one bug each (the fixtures in this package): each run fails (exit 1)
 * and names what went wrong, or passes when the damage is within what the user allows.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MisbehavingServersIT {
  @Test
  void aCorruptedByteIsOneMismatchInEcho() throws Exception {
    try (CorruptingEcho server = new CorruptingEcho(1000)) {
      Bench.Run r = Bench.run("echo", "bad=" + server.target(), "--conns", "2");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.out()).as(r.toString()).contains("bad: FAILED: 1 mismatched");
      assertThat(r.err()).as(r.toString()).contains("bad failed: 1 mismatched");
    }
  }

  @Test
  void aCorruptedByteIsOneMismatchInConns() throws Exception {
    try (CorruptingEcho server = new CorruptingEcho(1000)) {
      Bench.Run r = Bench.run("conns", "bad=" + server.target(), "--conns", "100", "--hold", "0s");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.out()).as(r.toString()).contains("bad: FAILED: 1 mismatched");
    }
  }

  @Test
  void aPlainRelayWithoutNoticesOrPrefixesPasses() throws Exception {
    try (DroppingChatRelay relay = new DroppingChatRelay(0)) {
      Bench.Run r = Bench.run("chat", "plain=" + relay.target(), "--clients", "4");
      BenchModesIT.assertMeasured(r, "deliveries/s", "plain");
    }
  }

  @Test
  void aDroppedChatLineIsLost() throws Exception {
    try (DroppingChatRelay relay = new DroppingChatRelay(200)) {
      Bench.Run r =
          Bench.run("chat", "drop=" + relay.target(), "--clients", "4", "--timeout", "1s");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      // One line, owed to 3 other members, reached none of them.
      assertThat(r.out()).as(r.toString()).contains("drop: FAILED: 3 lost");
      assertThat(r.err()).as(r.toString()).contains("never got line");
    }
  }

  @Test
  void datagramsDroppedBeyondMaxLossFailWithThePercentage() throws Exception {
    try (DroppingUdpEcho server = new DroppingUdpEcho(10)) {
      Bench.Run r = Bench.run("udp", "lossy=" + server.target(), "--timeout", "100ms");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      Matcher m =
          Pattern.compile(
                  "lossy: FAILED: \\d+ lost of \\d+ sent \\(([0-9.]+)%, more than --max-loss 1.00%\\)")
              .matcher(r.out());
      assertThat(m.find()).as(r.toString()).isTrue();
      // Every 10th datagram: about 10%, whatever the timing.
      assertThat(Double.parseDouble(m.group(1))).as(r.toString()).isBetween(5.0, 15.0);
    }
  }

  @Test
  void datagramsDroppedWithinMaxLossPass() throws Exception {
    try (DroppingUdpEcho server = new DroppingUdpEcho(10)) {
      Bench.Run r =
          Bench.run("udp", "lossy=" + server.target(), "--timeout", "100ms", "--max-loss", "25");
      BenchModesIT.assertMeasured(r, "round trips/s", "lossy");
    }
  }
}
