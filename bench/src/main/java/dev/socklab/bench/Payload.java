package dev.socklab.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The bytes of one echo message, made so that a reply can be verified without keeping a copy of
 * what was sent: the connection's number, the message's sequence number and a checksum of all of it
 * travel inside it. A byte changed, lost, duplicated or moved to another connection makes the
 * checksum or a number disagree.
 *
 * <pre>
 *  offset  size  field
 *  0       8     sequence number, from 0 on each connection (network byte order)
 *  8       4     connection number within the round
 *  12      4     CRC-32C of every other byte of the message
 *  16      n-16  filler: a pattern of the connection number and the offset
 * </pre>
 *
 * Not thread-safe: one per connection, used on that connection's event loop.
 */
final class Payload {
  /** Smallest message: the header alone, in bytes. */
  static final int MIN_SIZE = 16;

  private final int size;
  private final int connection;
  private final byte[] message;
  private final ByteBuffer view;
  private final CRC32C crc = new CRC32C();

  /**
   * @param size message size in bytes, {@value #MIN_SIZE} or more
   * @param connection the connection's number, 0 or more
   */
  Payload(int size, int connection) {
    if (size < MIN_SIZE) {
      throw new IllegalArgumentException("size " + size + " < " + MIN_SIZE);
    }
    this.size = size;
    this.connection = connection;
    this.message = new byte[size];
    this.view = ByteBuffer.wrap(message);
    for (int i = MIN_SIZE; i < size; i++) {
      message[i] = (byte) (connection * 31 + i);
    }
  }

  /**
   * @param seq the sequence number
   * @return message {@code seq} of this connection; the array is reused by the next call
   */
  byte[] message(long seq) {
    view.putLong(0, seq);
    view.putInt(8, connection);
    view.putInt(12, checksum(message));
    return message;
  }

  /**
   * Checks a received message against what message {@code seq} must be.
   *
   * @param got exactly {@link #size()} received bytes
   * @param seq the sequence number expected next on this connection
   * @return null if it is message {@code seq}, else what is wrong with it, in a few words
   */
  String verify(byte[] got, long seq) {
    ByteBuffer g = ByteBuffer.wrap(got);
    if (g.getInt(12) != checksum(got)) {
      return "bytes changed (checksum mismatch)";
    }
    if (g.getInt(8) != connection) {
      return "a message of connection " + g.getInt(8) + " arrived on connection " + connection;
    }
    if (g.getLong(0) != seq) {
      return "message " + g.getLong(0) + " arrived where " + seq + " was due";
    }
    // The checksum already covers the filler; comparing it too names the first changed byte.
    int at = Arrays.mismatch(got, MIN_SIZE, size, message, MIN_SIZE, size);
    return at < 0 ? null : "byte " + (MIN_SIZE + at) + " changed";
  }

  /**
   * @return the message size in bytes
   */
  int size() {
    return size;
  }

  private int checksum(byte[] m) {
    crc.reset();
    crc.update(m, 0, 12);
    crc.update(m, MIN_SIZE, size - MIN_SIZE);
    return (int) crc.getValue();
  }
}
