package dev.socklab.chat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code --max-pending-total}: a bound on the output queued for all clients together. {@code
 * --max-pending} bounds each client; without this, many clients that stop reading could still fill
 * the heap between them, each under its own limit.
 *
 * <p>Both engines count every byte they queue here (with the per-line overhead of their own
 * per-client count) and call {@link #makeRoom} before queuing a line. When the line would take the
 * total over the budget, the clients holding the most output go first: each is flushed (the kernel
 * takes what fits in its socket buffer), and one that still holds output is not reading: it is cut
 * off, as a client over {@code --max-pending} is. This goes on down to three quarters of the
 * budget, so that the sort of all clients with output (O(n log n)) is paid at most once per quarter
 * budget of new output, not on every line; below the budget it costs an addition per line.
 *
 * <p>Not thread-safe: the loop thread owns it. {@link #total()} and {@link #peak()} may be read
 * from any thread.
 */
final class OutputBudget {
  /** A client as the budget sees it; each engine's client implements it. */
  interface Queue extends ChatRoom.Member {
    /**
     * @return bytes queued for this client now, with the engine's per-line overhead; an engine
     *     whose count can go stale (Netty drains the socket on its own) counts again here and
     *     corrects the total with {@link #add}
     */
    long queued();

    /** Writes what the kernel takes now, never waiting; what does not fit stays queued. */
    void flush();

    /**
     * @return false once the connection is closed (its queue dropped and subtracted)
     */
    boolean isOpen();
  }

  private final long limit;
  private final ChatRoom room;
  private long total; // loop thread only
  private volatile long published; // total, for other threads
  private volatile long peak;
  private boolean makingRoom; // makeRoom is on the stack: flushes and cut-offs may call back

  /**
   * @param limit the budget, bytes, 1024 or more
   * @param room where clients cut off are reported
   * @throws IllegalArgumentException if {@code limit} is below 1024
   */
  OutputBudget(long limit, ChatRoom room) {
    if (limit < 1024) {
      throw new IllegalArgumentException(
          "max pending total must be 1024 bytes or more, not " + limit);
    }
    this.limit = limit;
    this.room = room;
  }

  /**
   * Counts bytes queued (positive) or written or dropped (negative).
   *
   * @param bytes the change, bytes
   */
  void add(long bytes) {
    total += bytes;
    published = total;
    if (total > peak) {
      peak = total;
    }
  }

  /**
   * Before {@code asking} queues {@code cost} more bytes: if that would take the total over the
   * budget, flush the clients with the most output and cut off those that do not take it, largest
   * first, until the total and the cost fit in three quarters of the budget. {@code asking} may be
   * one of them; the caller checks {@link Queue#isOpen()} afterwards. A line larger than everything
   * that can be freed is still queued: the total then passes the budget by that line alone.
   *
   * @param cost bytes about to be queued, with overhead
   * @param clients every client that may hold queued output
   */
  void makeRoom(long cost, Iterable<? extends Queue> clients) {
    if (total + cost <= limit || makingRoom) {
      return; // under budget; or a flush or cut-off below is queuing: the loop below sees it
    }
    makingRoom = true;
    try {
      List<Held> held = new ArrayList<>();
      for (Queue q : clients) {
        long bytes = q.queued(); // corrects a stale count first
        if (bytes > 0) {
          held.add(new Held(q, bytes));
        }
      }
      long target = limit - limit / 4;
      if (total + cost <= target) {
        return; // the counts were stale: the kernel had taken more than they said
      }
      held.sort(Comparator.comparingLong(Held::bytes).reversed());
      List<Held> cut = new ArrayList<>();
      for (Held h : held) {
        if (total + cost <= target) {
          break;
        }
        h.queue().flush(); // a client that reads takes its output now and keeps its place
        if (h.queue().isOpen() && h.queue().queued() > 0) {
          h.queue().abort(); // drops its queue now; the room is told below
          cut.add(h);
        }
      }
      makingRoom = false;
      for (Held h : cut) {
        room.cutOff(
            h.queue(),
            "its "
                + h.bytes()
                + " queued bytes were the most left when all clients' output passed"
                + " --max-pending-total ("
                + limit
                + " bytes)");
      }
    } finally {
      makingRoom = false;
    }
  }

  private record Held(Queue queue, long bytes) {}

  /**
   * @return bytes queued for all clients now (safe to read from any thread)
   */
  long total() {
    return published;
  }

  /**
   * @return the most bytes ever queued for all clients at once (safe to read from any thread)
   */
  long peak() {
    return peak;
  }
}
