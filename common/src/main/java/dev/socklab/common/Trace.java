package dev.socklab.common;

import java.net.SocketAddress;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --trace}: the socket lifecycle in the words of the C API the course teaches.
 *
 * <p>This class only writes the lines, one such as {@code read() -> 6 bytes 68 65 6c 6c 6f 0a
 * |hello.|} per call, on the logger {@value #LOGGER}; {@link SocketCalls} makes each call and
 * traces it in the same method, so the two cannot drift apart (Netty's pipeline reports its calls
 * through {@code NettyTraceHandler}). A disabled tracer costs one branch per call. Instances are
 * immutable and thread-safe.
 */
public final class Trace {
  /** The slf4j logger name trace lines go to. */
  public static final String LOGGER = "socklab.trace";

  /** How many payload bytes a trace line shows; the rest is summarised as "+N more". */
  public static final int DUMP_BYTES = 16;

  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final Trace DISABLED = new Trace(false, "");
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  private final boolean on;
  private final String prefix;

  private Trace(boolean on, String prefix) {
    this.on = on;
    this.prefix = prefix;
  }

  /**
   * @return a tracer that logs every call
   */
  public static Trace enabled() {
    return new Trace(true, "");
  }

  /**
   * @return a tracer that logs nothing
   */
  public static Trace disabled() {
    return DISABLED;
  }

  /**
   * @return true if this tracer logs
   */
  public boolean on() {
    return on;
  }

  /**
   * A tracer whose lines start with {@code label}, so one connection's calls can be told apart.
   *
   * @param label e.g. {@code "#3 127.0.0.1:53422"}
   * @return a tracer with the same on/off state
   */
  public Trace forConnection(String label) {
    return on ? new Trace(true, label + " ") : this;
  }

  /**
   * Logs one call, as written.
   *
   * @param call e.g. {@code "setsockopt(SO_REUSEADDR, 1)"}
   */
  public void call(String call) {
    if (on) {
      log.info("{}{}", prefix, call);
    }
  }

  /**
   * accept(2) returned a connection.
   *
   * @param peer the client's address
   */
  public void accept(SocketAddress peer) {
    call("accept() -> " + Endpoints.format(peer));
  }

  /**
   * read(2)/recv(2) returned.
   *
   * @param n bytes read; -1 (Java's end of stream) is traced as C's 0: the peer sent FIN
   * @param buf the buffer read into
   * @param off where in {@code buf} the bytes start
   */
  public void read(int n, byte[] buf, int off) {
    if (!on) {
      return;
    }
    if (n < 0) {
      call("read() -> 0 (EOF: the peer shut down its write side)");
    } else {
      call("read() -> " + n + " bytes  " + dump(buf, off, n));
    }
  }

  /**
   * write(2)/send(2) wrote all of the bytes.
   *
   * @param buf the bytes written
   * @param off offset of the first byte
   * @param n number of bytes
   */
  public void write(byte[] buf, int off, int n) {
    if (on) {
      call("write(" + n + ")  " + dump(buf, off, n));
    }
  }

  /**
   * A call that failed, as a C program reports it: {@code bind([::]:7007) -> -1 EADDRINUSE (Address
   * already in use)}.
   *
   * @param call the call as its success line would show it, e.g. {@code "bind([::]:7007)"}
   * @param e what the call threw
   */
  public void failed(String call, Throwable e) {
    if (on) {
      call(failure(call, e));
    }
  }

  // "call -> -1 ERRNO (why)".
  static String failure(String call, Throwable e) {
    NetErrors.Errno errno = NetErrors.errno(e);
    return call + " -> -1 " + (errno == null ? "" : errno + " ") + "(" + NetErrors.message(e) + ")";
  }

  /** close(2). */
  public void close() {
    call("close()");
  }

  /**
   * A short hex dump: up to {@value #DUMP_BYTES} bytes as hex, then the same bytes as text with
   * non-printable ones shown as '.'.
   *
   * @param buf the bytes
   * @param off offset of the first byte
   * @param len number of bytes, may exceed what is shown
   * @return e.g. {@code "68 69 0a |hi.|"}, or {@code "68 ... |h...| +4080 more"}
   */
  public static String dump(byte[] buf, int off, int len) {
    int shown = Math.min(len, DUMP_BYTES);
    StringBuilder text = new StringBuilder(shown);
    for (int i = 0; i < shown; i++) {
      int b = buf[off + i] & 0xff;
      text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
    }
    String more = len > shown ? " +" + (len - shown) + " more" : "";
    return HEX.formatHex(buf, off, off + shown) + "  |" + text + "|" + more;
  }
}
