package dev.socklab.check;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.socklab.client.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Cases that start, signal and restart the server themselves: only with {@code --exec}. They run in
 * this order, after the protocol cases, on the one server {@code --exec} started: {@code starts},
 * {@code fd-count}, {@code zombies}, {@code restart}, {@code stale-socket}, {@code
 * socket-file-removed}, {@code sigterm}. Each leaves a running, listening server behind for the
 * next (starting it again when it stopped it), except {@code sigterm}, which stops it for good; a
 * case that finds no server running starts it again, or SKIPs when it will not start.
 *
 * <p>Every kind has the same names, so one {@code --only} list fits all: for udp, {@code fd-count}
 * and {@code zombies} SKIP (a UDP server has no connection per client) and the two socket-file
 * cases are left out (a UDP server never has a socket path); for echo and chat over TCP the
 * socket-file cases SKIP.
 */
final class LifecycleCases {
  /** Clients {@code fd-count} runs, one after another. */
  static final int FD_CLIENTS = 50;

  /** Clients {@code zombies} runs, one after another. */
  static final int ZOMBIE_CLIENTS = 20;

  /** Connections {@code restart} keeps open while it stops the server. */
  static final int RESTART_CLIENTS = 3;

  // The course's wait for a server to stop on SIGTERM, before --timeout-scale.
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private static final String STARTS_HINT = "bind() fails or the server exits early";
  private static final String FD_HINT =
      "close() missing for each accepted connection (a fork() server: the parent must close() its"
          + " copy after fork())";
  private static final String ZOMBIES_HINT =
      "fork() per client without waitpid(): reap children in a SIGCHLD handler (waitpid(-1, NULL,"
          + " WNOHANG) in a loop)";
  private static final String RESTART_HINT =
      "bind() fails with EADDRINUSE because connections are in TIME_WAIT: set SO_REUSEADDR before"
          + " bind()";
  private static final String RESTART_PATH_HINT =
      "bind() fails with EADDRINUSE: unlink() a stale socket file before bind()";
  private static final String RESTART_UDP_HINT =
      "bind() fails with EADDRINUSE: the port is still held, by the old process or by a child that"
          + " inherited its socket";
  private static final String STALE_HINT =
      "a socket file left by a killed run makes bind() fail (EADDRINUSE): probe it with connect()"
          + " and unlink() it if nobody answers";
  private static final String REMOVED_WARNING =
      "the socket file stays after SIGTERM: unlink() it in the SIGTERM handler (not all servers"
          + " promise this)";
  private static final String SIGTERM_HINT =
      "SIGTERM ignored or blocked, or the handler does not end the accept loop";

  private LifecycleCases() {}

  /**
   * @param kind the kind of server
   * @return the lifecycle cases of that kind, in the order they must run
   */
  static List<CheckCase> of(Kind kind) {
    List<CheckCase> all = new ArrayList<>();
    all.add(
        new CheckCase(
            "starts",
            kind,
            true,
            "the server starts and listens on the port or path it is given",
            STARTS_HINT,
            "socket(), bind(), listen(): starting a server",
            p -> starts(p, kind)));
    all.add(
        new CheckCase(
            "fd-count",
            kind,
            true,
            "every accepted connection's descriptor is closed when its client leaves",
            FD_HINT,
            "close(2) and file descriptors",
            p -> fdCount(p, kind)));
    all.add(
        new CheckCase(
            "zombies",
            kind,
            true,
            "no child process is left <defunct>: every child that exits is reaped with waitpid()",
            ZOMBIES_HINT,
            "fork(), waitpid() and SIGCHLD",
            p -> zombies(p, kind)));
    all.add(
        new CheckCase(
            "restart",
            kind,
            true,
            "stopped with clients connected, the server starts again at once on the same port or"
                + " path",
            RESTART_HINT,
            "SO_REUSEADDR and TIME_WAIT",
            p -> restart(p, kind)));
    if (kind != Kind.UDP) {
      all.add(
          new CheckCase(
              "stale-socket",
              kind,
              true,
              "the server starts over the socket file a SIGKILLed run left behind",
              STALE_HINT,
              "AF_UNIX socket files and unlink(2)",
              p -> staleSocket(p, kind)));
      all.add(
          new CheckCase(
              "socket-file-removed",
              kind,
              true,
              "stopped by SIGTERM, the server removes its socket file",
              REMOVED_WARNING,
              "AF_UNIX socket files and unlink(2)",
              p -> socketFileRemoved(p, kind)));
    }
    all.add(
        new CheckCase(
            "sigterm",
            kind,
            true,
            "SIGTERM stops the server within 5 s, with status 0 (or 143: the default action)",
            SIGTERM_HINT,
            "signals: SIGTERM and a clean shutdown",
            p -> sigterm(p, kind)));
    return List.copyOf(all);
  }

  // ---- starts

  private static Outcome starts(Probe p, Kind kind) {
    Launched l = p.launched();
    boolean udp = kind == Kind.UDP;
    if (!l.isAlive()) {
      return Outcome.fail(
          "the server running and listening on " + where(l, udp),
          "it is not running: it exited with status " + l.waitFor(Duration.ZERO) + said(l),
          STARTS_HINT);
    }
    if (!l.awaitListening(p.scaled(Duration.ofSeconds(1)), udp)) {
      return Outcome.fail(
          "the server running and listening on " + where(l, udp),
          "pid "
              + l.pid()
              + " runs, but "
              + (udp ? "holds no socket bound to the port" : "connect() to it fails")
              + said(l),
          STARTS_HINT);
    }
    return Outcome.pass("pid " + l.pid() + ", listening on " + where(l, udp));
  }

  // ---- fd-count

  private static Outcome fdCount(Probe p, Kind kind) throws IOException {
    if (kind == Kind.UDP) {
      return Outcome.skip("not for UDP: a UDP server keeps no descriptor per client");
    }
    Outcome notRunning = running(p, kind);
    if (notRunning != null) {
      return notRunning;
    }
    Launched l = p.launched();
    // A few clients first: descriptors a server opens once, on its first clients (a log file, a
    // library loaded late), are then open before we count.
    for (int i = 1; i <= 3; i++) {
      visit(p, kind, i, "warm-up client " + i);
    }
    int idle = settledFdCount(p, l);
    if (idle < 0) {
      return Outcome.skip("cannot read /proc/" + l.pid() + "/fd");
    }
    for (int i = 1; i <= FD_CLIENTS; i++) {
      visit(p, kind, i, "client " + i);
    }
    // The server closes a connection after it sees our FIN: give it a moment to get there.
    long deadline = System.nanoTime() + p.scaled(Duration.ofSeconds(3)).toNanos();
    int after = l.fdCount();
    while (after > idle && System.nanoTime() - deadline < 0 && l.isAlive()) {
      l.waitFor(Duration.ofMillis(50)); // poll /proc; returns early if the server dies
      after = l.fdCount();
    }
    p.note("descriptors: idle " + idle + ", after " + FD_CLIENTS + " clients " + after);
    if (after > idle) {
      return Outcome.fail(
          "as many descriptors under /proc/PID/fd as before, once the clients have left",
          "descriptors under /proc/"
              + l.pid()
              + "/fd: idle "
              + idle
              + ", after "
              + FD_CLIENTS
              + " clients "
              + after,
          FD_HINT);
    }
    return Outcome.pass(
        "descriptors: idle " + idle + ", " + after + " again after " + FD_CLIENTS + " clients");
  }

  // The server's descriptor count once it stops moving (connections of earlier cases may still be
  // closing): two equal counts 50 ms apart, or whatever it is after 1 s.
  private static int settledFdCount(Probe p, Launched l) {
    long deadline = System.nanoTime() + p.scaled(Duration.ofSeconds(1)).toNanos();
    int last = l.fdCount();
    while (System.nanoTime() - deadline < 0) {
      l.waitFor(Duration.ofMillis(50));
      int now = l.fdCount();
      if (now == last) {
        break;
      }
      last = now;
    }
    return last;
  }

  // One client's whole visit: connect(), one short echo (echo) or nothing (chat), close().
  private static void visit(Probe p, Kind kind, int n, String who) {
    try (Conn c = p.connect()) {
      if (kind == Kind.ECHO) {
        byte[] line = (who + "\n").getBytes(US_ASCII);
        c.out().write(line);
        p.sent(who, line, 0, line.length);
        p.readExactly(c, line.length, who);
      }
    } catch (IOException | RuntimeException e) {
      throw new CaseFailed(
          "every client served, one after another",
          who + ": " + e.getMessage(),
          "the server stops serving after "
              + (n - 1)
              + " clients: descriptors or processes run out (close() or waitpid() missing?), or"
              + " it crashed");
    }
  }

  // ---- zombies

  private static Outcome zombies(Probe p, Kind kind) {
    if (kind == Kind.UDP) {
      return Outcome.skip("not for UDP: a UDP server forks no child per client");
    }
    Outcome notRunning = running(p, kind);
    if (notRunning != null) {
      return notRunning;
    }
    Launched l = p.launched();
    long liveBefore = live(l.children());
    long mostAlive = liveBefore;
    for (int i = 1; i <= ZOMBIE_CLIENTS; i++) {
      String who = "client " + i;
      try (Conn c = p.connect()) {
        if (kind == Kind.ECHO) {
          byte[] line = (who + "\n").getBytes(US_ASCII);
          c.out().write(line);
          p.readExactly(c, line.length, who); // served: a fork() server's child exists now
        }
        mostAlive = Math.max(mostAlive, live(l.children()));
      } catch (IOException | RuntimeException e) {
        throw new CaseFailed(
            "every client served, one after another",
            who + ": " + e.getMessage(),
            "the server stops serving after "
                + (i - 1)
                + " clients: processes run out (fork() fails with EAGAIN while zombies pile up?),"
                + " or it crashed");
      }
    }
    // The children end once they see EOF; wait until they are gone (reaped) or zombies.
    long deadline = System.nanoTime() + p.scaled(Duration.ofSeconds(2)).toNanos();
    List<Launched.Child> children = l.children();
    while (System.nanoTime() - deadline < 0
        && l.isAlive()
        && (children.stream().anyMatch(Launched.Child::zombie) || live(children) > liveBefore)) {
      l.waitFor(Duration.ofMillis(50)); // poll /proc; returns early if the server dies
      children = l.children();
    }
    List<Launched.Child> zombies = children.stream().filter(Launched.Child::zombie).toList();
    p.note("children: " + children);
    if (!zombies.isEmpty()) {
      return Outcome.fail(
          "no child of the server <defunct> 2 s after " + ZOMBIE_CLIENTS + " clients left",
          zombies.size()
              + " child"
              + (zombies.size() == 1 ? " is" : "ren are")
              + " <defunct> (state Z in /proc/PID/stat), e.g. pid "
              + zombies.get(0).pid(),
          ZOMBIES_HINT);
    }
    if (mostAlive == 0 && children.isEmpty()) {
      return Outcome.pass("no child processes");
    }
    return Outcome.pass(
        "up to "
            + mostAlive
            + (mostAlive == 1 ? " child" : " children")
            + " at once while clients were connected; none <defunct>");
  }

  private static long live(List<Launched.Child> children) {
    return children.stream().filter(c -> !c.zombie()).count();
  }

  // ---- restart

  private static Outcome restart(Probe p, Kind kind) throws IOException {
    Outcome notRunning = running(p, kind);
    if (notRunning != null) {
      return notRunning;
    }
    Launched l = p.launched();
    boolean udp = kind == Kind.UDP;
    List<Conn> conns = udp ? List.of() : holdOpen(p, kind);
    l.terminate(); // kill(pid, SIGTERM) while the clients are connected
    p.note("SIGTERM to pid " + l.pid() + " with " + conns.size() + " clients connected");
    // The side that closes first waits in TIME_WAIT. The server must be that side, so our end
    // is closed only once the server has closed its end (EOF) or has exited.
    for (Conn c : conns) {
      Thread.ofVirtual().start(() -> drainThenClose(c));
    }
    int status = l.waitFor(p.scaled(STOP_WAIT));
    String stopped = "exited with status " + status;
    if (status == -1) {
      l.kill();
      stopped =
          "did not exit within " + Probe.seconds(p.scaled(STOP_WAIT)) + " of SIGTERM: SIGKILLed";
    }
    conns.forEach(LifecycleCases::closeQuietly);
    p.note("the server " + stopped + "; starting it again at once");
    long t0 = System.nanoTime();
    l.start();
    if (l.awaitListening(startTimeout(p), udp)) {
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      return Outcome.pass("it " + stopped + ", then listened again within " + Probe.seconds(took));
    }
    String seen =
        l.isAlive()
            ? "started again, it runs (pid "
                + l.pid()
                + ") but does not listen within "
                + Probe.seconds(startTimeout(p))
            : "started again, it exited with status " + l.waitFor(Duration.ZERO);
    return Outcome.fail(
        "listening again at once on " + where(l, udp) + " after it " + stopped,
        seen + said(l),
        udp ? RESTART_UDP_HINT : l.path() != null ? RESTART_PATH_HINT : RESTART_HINT);
  }

  // RESTART_CLIENTS connections, of which at least the first is surely accepted (an iterative
  // server serves it; a select() or thread-per-client server accepts them all): echo a line on it,
  // or (chat) relay a line from it to the second.
  private static List<Conn> holdOpen(Probe p, Kind kind) throws IOException {
    List<Conn> conns = new ArrayList<>();
    for (int i = 0; i < RESTART_CLIENTS; i++) {
      conns.add(p.connect());
    }
    byte[] line = "socklab check: restart\n".getBytes(US_ASCII);
    try {
      conns.get(0).out().write(line);
      p.sent("client 1", line, 0, line.length);
      if (kind == Kind.ECHO) {
        p.readExactly(conns.get(0), line.length, "client 1");
      } else {
        awaitText(conns.get(1), "restart", p.scaled(Duration.ofSeconds(2)));
      }
    } catch (IOException | RuntimeException e) {
      // Not this case's business (the protocol cases judge it): stop the server all the same.
      p.note("client 1 not answered before SIGTERM: " + e.getMessage());
    }
    return conns;
  }

  // Reads until the text arrives, EOF, or the time is up (a read timeout ends it).
  private static void awaitText(Conn c, String text, Duration timeout) throws IOException {
    c.readTimeout(timeout);
    StringBuilder got = new StringBuilder();
    byte[] buf = new byte[4096];
    InputStream in = c.in();
    for (int n; got.indexOf(text) < 0 && (n = in.read(buf)) != -1; ) {
      got.append(new String(buf, 0, n, US_ASCII));
    }
  }

  // read() until EOF (or a failure: reset, timeout, or we closed it), then close().
  private static void drainThenClose(Conn c) {
    try {
      InputStream in = c.in();
      byte[] buf = new byte[4096];
      while (in.read(buf) != -1) {
        // what the server still sends (a chat server's goodbye): not this case's business
      }
    } catch (IOException | RuntimeException e) {
      // reset by the server, or closed by restart(): either way the connection is over
    }
    closeQuietly(c);
  }

  // ---- stale-socket

  private static Outcome staleSocket(Probe p, Kind kind) throws IOException {
    Launched l = p.launched();
    if (l.path() == null) {
      return Outcome.skip("only for a server on a UNIX socket path (--exec with {path})");
    }
    Outcome notRunning = running(p, kind);
    if (notRunning != null) {
      return notRunning;
    }
    l.kill(); // kill(pid, SIGKILL): no handler runs, so nothing unlinks the socket file
    boolean left = Files.exists(l.path(), LinkOption.NOFOLLOW_LINKS);
    p.note("SIGKILL; socket file " + (left ? "left behind" : "gone"));
    l.start();
    if (l.awaitListening(startTimeout(p), false)) {
      return Outcome.pass(
          left
              ? "listening again over the socket file the killed run left"
              : "listening again (the killed run left no socket file)");
    }
    String seen =
        (l.isAlive()
                ? "started again over the socket file the killed run left, it runs but does not"
                    + " listen within "
                    + Probe.seconds(startTimeout(p))
                : "started again over the socket file the killed run left, it exited with status "
                    + l.waitFor(Duration.ZERO))
            + said(l);
    // The next case finds no server listening: running() removes the file and starts it again.
    return Outcome.fail("listening again on " + l.path() + " after a SIGKILL", seen, STALE_HINT);
  }

  // ---- socket-file-removed

  private static Outcome socketFileRemoved(Probe p, Kind kind) throws IOException {
    Launched l = p.launched();
    if (l.path() == null) {
      return Outcome.skip("only for a server on a UNIX socket path (--exec with {path})");
    }
    Outcome notRunning = running(p, kind);
    if (notRunning != null) {
      return notRunning;
    }
    l.terminate(); // kill(pid, SIGTERM)
    int status = l.waitFor(p.scaled(STOP_WAIT));
    Outcome outcome;
    if (status == -1) {
      l.kill();
      outcome =
          Outcome.skip(
              "it did not exit within "
                  + Probe.seconds(p.scaled(STOP_WAIT))
                  + " of SIGTERM (see sigterm)");
    } else if (Files.exists(l.path(), LinkOption.NOFOLLOW_LINKS)) {
      outcome = Outcome.warn(REMOVED_WARNING);
    } else {
      outcome = Outcome.pass("exited with status " + status + " and removed " + l.path());
    }
    // Start again for the next case. A file left behind is removed first: stale-socket has
    // judged already how the server copes with one.
    Files.deleteIfExists(l.path()); // unlink(2)
    l.start();
    l.awaitListening(startTimeout(p), false);
    return outcome;
  }

  // ---- sigterm

  private static Outcome sigterm(Probe p, Kind kind) {
    Outcome notRunning = running(p, kind);
    if (notRunning != null) {
      return notRunning;
    }
    Launched l = p.launched();
    Duration wait = p.scaled(STOP_WAIT);
    long t0 = System.nanoTime();
    l.terminate(); // kill(pid, SIGTERM)
    int status = l.waitFor(wait);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String expected = "an exit within " + Probe.seconds(wait) + " of SIGTERM, with status 0 or 143";
    if (status == -1) {
      l.kill();
      return Outcome.fail(
          expected,
          "still running after " + Probe.seconds(wait) + " (then SIGKILLed)",
          SIGTERM_HINT);
    }
    if (status == 0) {
      return Outcome.pass("exited with status 0 after " + Probe.seconds(took));
    }
    if (status == 128 + 15) {
      return Outcome.pass(
          "ended by SIGTERM (status 143, the default action) after " + Probe.seconds(took));
    }
    return Outcome.fail(
        expected,
        "exited with status " + status + said(l),
        "the shutdown failed: the SIGTERM handler should close the sockets and exit(0)");
  }

  // ---- shared

  // Null when the server listens; else it is started again, and a SKIP says so if it will not
  // listen (an earlier case failed to restart it).
  private static Outcome running(Probe p, Kind kind) {
    Launched l = p.launched();
    boolean udp = kind == Kind.UDP;
    if (l.listens(udp)) {
      return null;
    }
    p.note("the server is not listening: starting it again");
    l.kill();
    try {
      l.start();
    } catch (IOException e) {
      return Outcome.skip("the server is not running and cannot be started: " + e.getMessage());
    }
    if (l.awaitListening(startTimeout(p), udp)) {
      return null;
    }
    if (l.path() != null && Files.exists(l.path(), LinkOption.NOFOLLOW_LINKS)) {
      // A socket file the server will not bind over (restart or stale-socket failed on it):
      // remove it as the server should have, so that the cases after can still run.
      p.note("unlink(" + l.path() + ") and starting it again");
      l.kill();
      try {
        Files.deleteIfExists(l.path()); // unlink(2)
        l.start();
      } catch (IOException e) {
        return Outcome.skip("the server is not running and cannot be started: " + e.getMessage());
      }
      if (l.awaitListening(startTimeout(p), udp)) {
        return null;
      }
    }
    return Outcome.skip(
        "the server is not running and does not start again (see the cases above)" + said(l));
  }

  // As long as check waits for the server's first start: 10 s, longer with --timeout-scale.
  private static Duration startTimeout(Probe p) {
    return Duration.ofSeconds(10).multipliedBy((long) Math.ceil(p.options().timeoutScale()));
  }

  private static String where(Launched l, boolean udp) {
    Path path = l.path();
    return path != null ? path.toString() : (udp ? "UDP " : "") + "127.0.0.1:" + l.port();
  }

  // "; it printed: LINE | LINE" with the server's last lines, or "" when it printed nothing.
  private static String said(Launched l) {
    List<String> out = l.lastOutput();
    List<String> last = out.subList(Math.max(0, out.size() - 5), out.size());
    return last.isEmpty() ? "" : "; it printed: " + String.join(" | ", last);
  }

  private static void closeQuietly(Conn c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      // already closed
    }
  }
}
