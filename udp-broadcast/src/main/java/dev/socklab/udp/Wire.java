package dev.socklab.udp;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The beacon and discovery datagram (docs/protocols.md): a 20-byte header in network byte order
 * (big-endian, as htonl/htons write it), then UTF-8 text lines {@code key=value}.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+---------------+---------------+
 * |      'S'      |      'L'      |      'A'      |      'B'      |  magic
 * +---------------+---------------+---------------+---------------+
 * |    version    |     type      |             flags             |
 * +---------------+---------------+---------------+---------------+
 * |                       sequence (uint32)                       |
 * +---------------+---------------+---------------+---------------+
 * |             sender clock, ms since the epoch (uint64)         |
 * +                                                               +
 * |                                                               |
 * +---------------+---------------+---------------+---------------+
 * |  UTF-8 text: key=value lines ...
 * </pre>
 *
 * @param type what the datagram is
 * @param flags reserved, 0-65535; sent as 0
 * @param sequence the sender's counter, 0 to 2^32-1
 * @param clockMillis the sender's wall clock, ms since 1970-01-01 UTC
 * @param fields the text part, in order
 */
public record Wire(
    Type type, int flags, long sequence, long clockMillis, Map<String, String> fields) {
  /** The magic bytes "SLAB" read as a big-endian int: 0x534C4142. */
  public static final int MAGIC = 0x534C4142;

  /** The format version this code writes and reads. */
  public static final int VERSION = 1;

  /** Header length, bytes. */
  public static final int HEADER = 20;

  /** Datagram types. */
  public enum Type {
    /** A client asks every server on the broadcast domain to announce itself. */
    DISCOVER(1),
    /** A server's answer to DISCOVER, sent to the asker alone. */
    ANNOUNCE(2),
    /** A server's periodic broadcast announcement. */
    BEACON(3);

    final int code;

    Type(int code) {
      this.code = code;
    }

    static Optional<Type> of(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * @throws IllegalArgumentException if flags or sequence are out of their unsigned ranges
   */
  public Wire {
    if (flags < 0 || flags > 0xFFFF) {
      throw new IllegalArgumentException("flags must fit 16 bits: " + flags);
    }
    if (sequence < 0 || sequence > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("sequence must fit 32 bits unsigned: " + sequence);
    }
    fields = Map.copyOf(new LinkedHashMap<>(fields));
  }

  /**
   * @return the datagram's bytes: header in network byte order, then the text
   */
  public byte[] encode() {
    StringBuilder text = new StringBuilder();
    fields.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> text.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
    byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(HEADER + body.length).order(ByteOrder.BIG_ENDIAN);
    b.putInt(MAGIC); // htonl
    b.put((byte) VERSION);
    b.put((byte) type.code);
    b.putShort((short) flags); // htons
    b.putInt((int) sequence); // htonl of a uint32
    b.putLong(clockMillis); // htobe64
    b.put(body);
    return b.array();
  }

  /**
   * Decodes a datagram if it is one of ours.
   *
   * @param datagram the received bytes, between position and limit (not consumed)
   * @return the message, or empty if the datagram is not a socklab datagram of this version
   */
  public static Optional<Wire> decode(ByteBuffer datagram) {
    ByteBuffer b = datagram.duplicate().order(ByteOrder.BIG_ENDIAN);
    try {
      if (b.remaining() < HEADER || b.getInt() != MAGIC || (b.get() & 0xFF) != VERSION) {
        return Optional.empty();
      }
      Optional<Type> type = Type.of(b.get() & 0xFF);
      int flags = b.getShort() & 0xFFFF; // ntohs
      long sequence = b.getInt() & 0xFFFF_FFFFL; // ntohl, unsigned
      long clock = b.getLong(); // be64toh
      if (type.isEmpty()) {
        return Optional.empty();
      }
      String text = StandardCharsets.UTF_8.decode(b).toString();
      Map<String, String> fields = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      return Optional.of(new Wire(type.get(), flags, sequence, clock, fields));
    } catch (BufferUnderflowException e) {
      return Optional.empty();
    }
  }
}
