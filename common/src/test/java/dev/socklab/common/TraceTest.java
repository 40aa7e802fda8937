package dev.socklab.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TraceTest {
  @Test
  void dumpShowsHexAndPrintableText() {
    byte[] b = "hi\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(Trace.dump(b, 0, 3)).isEqualTo("68 69 0a  |hi.|");
  }

  @Test
  void dumpIsShortForLongPayloads() {
    byte[] b = new byte[100];
    b[0] = (byte) 0xff;
    assertThat(Trace.dump(b, 0, 100))
        .startsWith("ff 00 00")
        .endsWith("|................| +84 more");
  }

  @Test
  void aFailureWithoutAMessageSaysWhatHappened() {
    // What the JDK throws, without a message, from accept() on a channel another thread closed.
    assertThat(Trace.failure("accept()", new java.nio.channels.AsynchronousCloseException()))
        .isEqualTo("accept() -> -1 (socket closed by another thread)");
    assertThat(Trace.failure("read()", new java.nio.channels.ClosedChannelException()))
        .isEqualTo("read() -> -1 (ClosedChannelException)");
  }

  @Test
  void aFailureWithAMessageQuotesIt() {
    assertThat(Trace.failure("connect(127.0.0.1:1)", new java.io.IOException("Connection refused")))
        .startsWith("connect(127.0.0.1:1) -> -1 ")
        .endsWith("(Connection refused)");
  }

  @Test
  void dumpHonoursTheOffset() {
    byte[] b = "xxABC".getBytes(StandardCharsets.US_ASCII);
    assertThat(Trace.dump(b, 2, 3)).isEqualTo("41 42 43  |ABC|");
  }
}
