package dev.socklab.common;

import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --trace}: the socket lifecycle in the words of the C API the course teaches.
 *
 * <p>Each method is named after the system call that the Java line next to it performs, and logs
 * one line such as {@code read() -> 6 bytes 68 65 6c 6c 6f 0a hello.} on the logger {@value
 * #LOGGER}. A disabled tracer costs one branch per call. Instances are immutable and thread-safe.
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
   * socket(2).
   *
   * @param family {@code AF_INET}, {@code AF_INET6} or {@code AF_UNIX}
   * @param type {@code SOCK_STREAM} or {@code SOCK_DGRAM}
   */
  public void socket(String family, String type) {
    call("socket(" + family + ", " + type + ")");
  }

  /**
   * setsockopt(2).
   *
   * @param option e.g. {@code SO_REUSEADDR}, {@code TCP_NODELAY}, {@code SO_RCVTIMEO}
   * @param value the value set
   */
  public void setsockopt(String option, Object value) {
    call("setsockopt(" + option + ", " + value + ")");
  }

  /**
   * bind(2).
   *
   * @param local the address bound; with port 0 pass the address actually bound
   */
  public void bind(SocketAddress local) {
    call("bind(" + Endpoints.format(local) + ")");
  }

  /**
   * listen(2).
   *
   * @param backlog the accept-queue length asked for (the kernel caps it at somaxconn)
   */
  public void listen(int backlog) {
    call("listen(backlog=" + backlog + ")");
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
   * connect(2) succeeded.
   *
   * @param peer the server's address
   */
  public void connect(SocketAddress peer) {
    call("connect(" + Endpoints.format(peer) + ")");
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
   * shutdown(2).
   *
   * @param how {@code SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}
   */
  public void shutdown(String how) {
    call("shutdown(" + how + ")");
  }

  /** close(2). */
  public void close() {
    call("close()");
  }

  /**
   * The address family the JDK uses for a socket bound to or connected to {@code address}. On a
   * host with IPv6, the JDK opens AF_INET6 sockets even for IPv4 addresses (as v4-mapped addresses)
   * unless {@code -Djava.net.preferIPv4Stack=true}.
   *
   * @param address the local or remote address, or null for the wildcard
   * @return {@code "AF_INET"} or {@code "AF_INET6"}
   */
  public static String family(InetAddress address) {
    return Boolean.getBoolean("java.net.preferIPv4Stack") ? "AF_INET" : "AF_INET6";
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
