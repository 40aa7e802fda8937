package dev.socklab.bench;

import dev.socklab.common.NetErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What went wrong in a round, counted by kind. Any count above zero (loss only above {@code
 * --max-loss}) fails the run: a throughput measured against a server that loses or changes data is
 * not a result. Thread-safe: event loops count into one instance.
 */
final class Errors {
  /**
   * Replies whose bytes differ from what was sent (or arrive out of order, or on another
   * connection).
   */
  final AtomicLong mismatched = new AtomicLong();

  /** Messages never answered within {@code --timeout}, or datagrams lost. */
  final AtomicLong lost = new AtomicLong();

  /** Messages delivered twice (chat), or replies nobody asked for. */
  final AtomicLong duplicated = new AtomicLong();

  /** Connections the server closed or reset before the round ended. */
  final AtomicLong closed = new AtomicLong();

  /** Connections that could not be made (refused, timed out, out of descriptors). */
  final AtomicLong connectFailed = new AtomicLong();

  /** Chat rooms that never formed: the members did not all see each other's hello in time. */
  final AtomicLong unsynced = new AtomicLong();

  /**
   * Replies that came after {@code --timeout}, to messages already counted as lost (udp): not an
   * error of their own, but a sign that the timeout may be too short.
   */
  final AtomicLong late = new AtomicLong();

  private final AtomicReference<String> first = new AtomicReference<>();

  /**
   * Keeps the first detail seen (what the first bad reply looked like, the first errno), so the
   * failure line can show one example.
   *
   * @param detail a few words
   */
  void note(String detail) {
    first.compareAndSet(null, detail);
  }

  /**
   * @return the first detail noted, or null
   */
  String firstDetail() {
    return first.get();
  }

  /**
   * Adds another round's counts to these.
   *
   * @param other the counts to add
   */
  void add(Errors other) {
    mismatched.addAndGet(other.mismatched.get());
    lost.addAndGet(other.lost.get());
    duplicated.addAndGet(other.duplicated.get());
    closed.addAndGet(other.closed.get());
    connectFailed.addAndGet(other.connectFailed.get());
    unsynced.addAndGet(other.unsynced.get());
    late.addAndGet(other.late.get());
    if (other.firstDetail() != null) {
      note(other.firstDetail());
    }
  }

  /**
   * @return every count except loss
   */
  long hard() {
    return mismatched.get()
        + duplicated.get()
        + closed.get()
        + connectFailed.get()
        + unsynced.get();
  }

  /**
   * @return every count
   */
  long total() {
    return hard() + lost.get();
  }

  /**
   * @return the non-zero counts in words, e.g. {@code 1 mismatched, 3 lost}; empty if none
   */
  String describe() {
    List<String> parts = new ArrayList<>();
    add(parts, mismatched.get(), "mismatched");
    add(parts, lost.get(), "lost");
    add(parts, duplicated.get(), "duplicated");
    add(parts, closed.get(), "connections closed by the server");
    add(parts, connectFailed.get(), "connects failed");
    add(parts, unsynced.get(), "chat room never formed");
    return String.join(", ", parts);
  }

  /**
   * A failed call's cause in a few words: its errno where one is recognised.
   *
   * @param t what the call failed with, or null
   * @return e.g. {@code ECONNREFUSED}, or the exception's message
   */
  static String cause(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    NetErrors.Errno errno = NetErrors.errno(t);
    return errno != null ? errno.name() : String.valueOf(t.getMessage());
  }

  private static void add(List<String> parts, long n, String what) {
    if (n > 0) {
      parts.add(n + " " + what);
    }
  }
}
