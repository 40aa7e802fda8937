package dev.socklab.chat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat protocol (docs/protocols.md), apart from any socket: nicknames, commands, relaying,
 * sanitising, join and leave notices. Both engines feed it whole decoded lines and give it a {@link
 * Member} per connection to send lines to.
 *
 * <p>Not thread-safe, on purpose: like the select() server of the course, one thread (the selector
 * loop, or the one Netty event loop) owns the room. The counters may be read from any thread.
 */
public final class ChatRoom {
  private static final Logger log = LoggerFactory.getLogger(ChatRoom.class);

  /** One connected client, as the room sees it. Implemented by each engine. */
  public interface Member {
    /**
     * Queues one line for this client. The engine writes it when the current event has been
     * handled, together with everything else queued meanwhile (one write per client, not one per
     * line).
     *
     * @param line the line in UTF-8, ending in {@code \n}; shared by all recipients, never modified
     * @return false if the client's queued output now exceeds the limit and it must be cut off
     */
    boolean send(byte[] line);

    /** Closes the connection once what is queued has been sent (or the grace period ends). */
    void close();

    /** Closes the connection now, dropping what is queued (for a client that does not read). */
    void abort();

    /**
     * @return the client's address, for the log
     */
    String remote();
  }

  private final Map<Member, String> nicks = new LinkedHashMap<>(); // join order, for /who
  private final Nicks<Member> taken = new Nicks<>();
  private final int maxLineBytes;
  private int nextGuest = 1;
  private final AtomicInteger online = new AtomicInteger();
  private final AtomicLong joined = new AtomicLong();
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong cutOff = new AtomicLong();
  // Clients to cut off, and why, once the event being handled has been: not in the middle of a
  // loop over the members. A client in here is as good as gone: its input is ignored.
  private final Map<Member, String> toCut = new LinkedHashMap<>();
  private int handling; // depth of the room's own methods on the stack

  /**
   * @param maxLineBytes the line limit, quoted in the "line too long" error
   */
  public ChatRoom(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * A client connected: give it a guest nick, welcome it and tell the others.
   *
   * @param m the new client
   */
  public void join(Member m) {
    handling++;
    try {
      joinNow(m);
    } finally {
      done();
    }
  }

  private void joinNow(Member m) {
    String nick;
    do {
      nick = "guest" + nextGuest++;
    } while (taken.clash(nick, null) != null); // skips guest1 while someone is guestl
    nicks.put(m, nick);
    taken.put(nick, m);
    joined.incrementAndGet();
    online.set(nicks.size());
    log.info("{} joined from {} ({} online)", nick, m.remote(), nicks.size());
    sendTo(
        m,
        "* welcome to socklab chat, "
            + nick
            + ". "
            + nicks.size()
            + " online. /help lists the commands.");
    broadcast(m, "* " + nick + " joined");
  }

  /**
   * A client left (EOF, reset, error): tell the others. Does nothing if it already left.
   *
   * @param m the client
   */
  public void leave(Member m) {
    handling++;
    try {
      leave(m, null);
    } finally {
      done();
    }
  }

  private void leave(Member m, String why) {
    String nick = nicks.remove(m);
    if (nick == null) {
      return;
    }
    taken.remove(nick, m);
    online.set(nicks.size());
    String notice = "* " + nick + " left" + (why == null ? "" : " (" + why + ")");
    log.info("{} ({} online)", notice.substring(2), nicks.size());
    broadcast(null, notice);
  }

  /**
   * The client sent a line longer than the limit; it was discarded.
   *
   * @param m the client
   */
  public void lineTooLong(Member m) {
    if (nicks.containsKey(m) && !toCut.containsKey(m)) {
      handling++;
      try {
        sendTo(m, "* error: line too long (the limit is " + maxLineBytes + " bytes); not sent");
      } finally {
        done();
      }
    }
  }

  /**
   * One whole line from a client, decoded (invalid UTF-8 already replaced by U+FFFD), without its
   * terminator: a command or a message for everyone else.
   *
   * @param m the sender
   * @param raw the line as received
   */
  public void line(Member m, String raw) {
    String from = nicks.get(m);
    if (from == null || toCut.containsKey(m)) {
      return; // it left (or was cut off) while its input was still being read
    }
    handling++;
    try {
      String text = Sanitizer.clean(raw);
      if (text.startsWith("/")) {
        command(m, from, text);
      } else if (!text.isBlank()) {
        log.info("<{}> {}", from, text);
        relayed.incrementAndGet();
        broadcast(m, "[" + from + "] " + text);
      }
    } finally {
      done();
    }
  }

  private void command(Member m, String from, String text) {
    int space = text.indexOf(' ');
    String cmd = space < 0 ? text : text.substring(0, space);
    String arg = space < 0 ? "" : text.substring(space + 1).strip();
    switch (cmd) {
      case "/nick" -> nick(m, from, arg);
      case "/who" ->
          sendTo(m, "* online (" + nicks.size() + "): " + String.join(", ", nicks.values()));
      case "/me" -> {
        if (arg.isEmpty()) {
          sendTo(m, "* error: usage: /me ACTION");
        } else {
          log.info("* {} {}", from, arg);
          relayed.incrementAndGet();
          broadcast(m, "* " + from + " " + arg);
        }
      }
      case "/msg" -> privateMessage(m, from, arg);
      case "/quit" -> {
        sendTo(m, "* bye");
        leave(m, null);
        m.close();
      }
      case "/help" -> {
        for (String h : HELP) {
          sendTo(m, h);
        }
      }
      default -> sendTo(m, "* error: unknown command " + cmd + " (try /help)");
    }
  }

  private static final List<String> HELP =
      List.of(
          "* commands:",
          "*   /nick NAME       change your nick (1-20 letters, digits, _ or -)",
          "*   /who             list who is online",
          "*   /me ACTION       tell the room what you do",
          "*   /msg NICK TEXT   private message to NICK",
          "*   /quit            leave",
          "* anything else goes to everyone else as [yournick] text");

  private void nick(Member m, String from, String wanted) {
    String problem = Sanitizer.nickProblem(wanted);
    if (problem != null) {
      sendTo(m, "* error: " + problem);
      return;
    }
    Member holder = taken.clash(wanted, m);
    if (holder != null) {
      String held = nicks.get(holder);
      sendTo(
          m,
          Sanitizer.fold(held).equals(Sanitizer.fold(wanted))
              ? "* error: the nick " + wanted + " is taken"
              : "* error: nick '" + wanted + "' looks like '" + held + "', who is online");
      return;
    }
    problem = Nicks.mixedScriptProblem(wanted);
    if (problem != null) {
      sendTo(m, "* error: " + problem);
      return;
    }
    taken.remove(from, m);
    taken.put(wanted, m);
    nicks.put(m, wanted);
    log.info("{} is now {}", from, wanted);
    sendTo(m, "* you are now " + wanted);
    broadcast(m, "* " + from + " is now " + wanted);
  }

  private void privateMessage(Member m, String from, String arg) {
    int space = arg.indexOf(' ');
    String to = space < 0 ? arg : arg.substring(0, space);
    String text = space < 0 ? "" : arg.substring(space + 1).strip();
    if (to.isEmpty() || text.isEmpty()) {
      sendTo(m, "* error: usage: /msg NICK TEXT");
      return;
    }
    Member target = taken.holder(to); // exact up to case: see Nicks.holder
    if (target == null) {
      sendTo(m, "* error: no such nick: " + to);
      return;
    }
    log.info("<{} -> {}> {}", from, nicks.get(target), text);
    relayed.incrementAndGet();
    sendTo(target, "[" + from + " -> you] " + text);
    sendTo(m, "* sent to " + nicks.get(target));
  }

  /** The server is stopping: tell everyone, then close each connection after its output. */
  public void shutdown() {
    handling++;
    try {
      List<Member> all = new ArrayList<>(nicks.keySet());
      byte[] notice = encode("* server shutting down");
      for (Member m : all) {
        m.send(notice);
      }
      nicks.clear();
      taken.clear();
      online.set(0);
      for (Member m : all) {
        m.close();
      }
    } finally {
      done();
    }
  }

  /**
   * @param line a line of text
   * @return the line in UTF-8 with its {@code \n}, as members are sent it
   */
  static byte[] encode(String line) {
    return (line + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private void sendTo(Member m, String line) {
    if (!m.send(encode(line))) {
      toCut.putIfAbsent(m, OVER_MAX_PENDING);
    }
  }

  private void broadcast(Member except, String line) {
    byte[] bytes = encode(line); // once for all recipients
    for (Member m : nicks.keySet()) {
      if (m != except && !m.send(bytes)) {
        toCut.putIfAbsent(m, OVER_MAX_PENDING);
      }
    }
  }

  private static final String OVER_MAX_PENDING = "its queued output passed --max-pending";

  /**
   * Cuts a client off as not reading: the others are told it left (too slow), the log says why
   * (once per client), and its connection is aborted. The engines call this for a client they chose
   * to cut (see {@link OutputBudget}); it may be called while the room is sending (from {@link
   * Member#send}): then it takes effect once the current event has been handled, and the client's
   * input is ignored from now on. Does nothing more for a client that already left.
   *
   * @param m the client
   * @param why the reason, for the log, e.g. "its queued output passed --max-pending"
   */
  public void cutOff(Member m, String why) {
    toCut.putIfAbsent(m, why);
    if (handling == 0) {
      handling++;
      done();
    }
  }

  // End of one of the room's own methods: the outermost one cuts off whoever is due. A client
  // whose queued output passed a limit is cut off, so that clients that stop reading cannot hold
  // the whole room's memory (or, with blocking writes, stall it). Telling the others may make
  // more clients due: the loop takes them too.
  private void done() {
    if (handling > 1) {
      handling--;
      return;
    }
    try {
      while (!toCut.isEmpty()) {
        var due = toCut.entrySet().iterator().next();
        Member m = due.getKey();
        String nick = nicks.get(m);
        if (nick != null) {
          cutOff.incrementAndGet();
          log.warn("{} ({}) is not reading: cut off, {}", nick, m.remote(), due.getValue());
          leave(m, "too slow");
        }
        toCut.remove(m); // after leave(): meanwhile its input stays ignored
        m.abort();
      }
    } finally {
      handling--;
    }
  }

  /**
   * @return clients in the room now (safe to read from any thread)
   */
  public int size() {
    return online.get();
  }

  /**
   * @return clients that ever joined
   */
  public long joinedCount() {
    return joined.get();
  }

  /**
   * @return messages relayed (plain lines, /me, /msg)
   */
  public long relayedCount() {
    return relayed.get();
  }

  /**
   * @return clients cut off for not reading
   */
  public long cutOffCount() {
    return cutOff.get();
  }
}
