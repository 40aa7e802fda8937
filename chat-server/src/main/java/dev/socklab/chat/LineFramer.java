package dev.socklab.chat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines ending in {@code \n} ({@code \r\n} accepted), with a bound.
 *
 * <p>Bytes are kept until a whole line is there and only then decoded, so a UTF-8 character split
 * across reads (or TCP segments) arrives intact; invalid UTF-8 becomes U+FFFD. A line longer than
 * the limit is dropped as it streams in (memory stays at the limit however long it gets) and
 * reported once. The selector engine's counterpart of Netty's {@code LineBasedFrameDecoder}.
 */
final class LineFramer {
  /** Receives what the framer finds. */
  interface Sink {
    /**
     * @param line a whole line, decoded, without its terminator
     */
    void line(String line);

    /** A line passed the limit and is being dropped. */
    void tooLong();
  }

  private final int maxLineBytes;
  private byte[] buf = new byte[128];
  private int len;
  private boolean discarding;

  /**
   * @param maxLineBytes longest line kept, bytes, not counting the terminator
   */
  LineFramer(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Consumes all of {@code in}.
   *
   * @param in bytes just read, between position and limit
   * @param sink gets each complete line and each too-long line
   */
  void feed(ByteBuffer in, Sink sink) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        if (discarding) {
          discarding = false; // the end of the line that was too long: start afresh
        } else {
          int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
          if (end > maxLineBytes) {
            sink.tooLong();
          } else {
            sink.line(new String(buf, 0, end, StandardCharsets.UTF_8)); // malformed -> U+FFFD
          }
        }
        len = 0;
      } else if (!discarding) {
        if (len == maxLineBytes + 1) { // one byte of slack for a '\r' before the '\n'
          discarding = true;
          len = 0;
          sink.tooLong();
        } else {
          if (len == buf.length) {
            buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxLineBytes + 1));
          }
          buf[len++] = b;
        }
      }
    }
  }
}
