package dev.socklab.check;

import dev.socklab.common.UsageError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server that {@code check --exec CMD} starts itself: {@code {port}} in CMD becomes a free TCP
 * port (or UDP port, for a UDP server), {@code {path}} a fresh socket path in a private temporary
 * directory. The command runs under {@code sh -c 'exec CMD'}, so its pid is the server's and
 * SIGTERM reaches the server, not a shell. Its output is kept (the last lines) for reports.
 * Lifecycle cases start, signal and restart it; the other cases use it as their target.
 */
public final class Launched implements AutoCloseable {
  private static final int KEPT_LINES = 20;

  private final String template;
  private final int port;
  private final Path path;
  private final Deque<String> output = new ArrayDeque<>();
  private Process process;
  private int run; // which start() the kept output belongs to
  private Thread reader; // copies this run's output into the kept lines

  private Launched(String template, int port, Path path) {
    this.template = template;
    this.port = port;
    this.path = path;
  }

  /**
   * Prepares (does not start) a server command.
   *
   * @param template the command with {@code {port}} or {@code {path}}
   * @param udp whether the free port is for UDP
   * @return the prepared server
   * @throws UsageError if the command has neither placeholder
   * @throws IOException if no free port or temporary directory can be had
   */
  public static Launched prepare(String template, boolean udp) throws IOException {
    boolean wantsPort = template.contains("{port}");
    boolean wantsPath = template.contains("{path}");
    if (wantsPort == wantsPath) {
      throw new UsageError(
          "--exec needs exactly one of {port} or {path} in the command, e.g. --exec './my_server"
              + " {port}'");
    }
    if (wantsPath) {
      Path dir = Files.createTempDirectory("socklab-check-");
      return new Launched(template, -1, dir.resolve("server.sock"));
    }
    return new Launched(template, freePort(udp), null);
  }

  // bind(2) to port 0, read the port the kernel chose, close: free now, and very likely in a
  // moment.
  private static int freePort(boolean udp) throws IOException {
    if (udp) {
      try (var s = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * @return the command as run, placeholders replaced
   */
  public String command() {
    return path != null
        ? template.replace("{path}", path.toString())
        : template.replace("{port}", Integer.toString(port));
  }

  /**
   * @return the TCP or UDP port given to the server, or -1 with {@code {path}}
   */
  public int port() {
    return port;
  }

  /**
   * @return the socket path given to the server, or null with {@code {port}}
   */
  public Path path() {
    return path;
  }

  /**
   * Starts the server (again, after a stop: same port, same path).
   *
   * @throws IOException if the shell cannot be started
   */
  public void start() throws IOException {
    int thisRun;
    synchronized (this) {
      thisRun = ++run;
      output.clear(); // a failed restart reports its own lines, not the previous run's
    }
    process = new ProcessBuilder("sh", "-c", "exec " + command()).redirectErrorStream(true).start();
    Process p = process;
    reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (var lines = p.inputReader().lines()) {
                    lines.forEach(line -> keep(thisRun, line));
                  } catch (UncheckedIOException e) {
                    // the process ended
                  }
                });
  }

  private synchronized void keep(int ofRun, String line) {
    if (ofRun != run) {
      return; // the last words of a run already replaced
    }
    output.addLast(line);
    if (output.size() > KEPT_LINES) {
      output.removeFirst();
    }
  }

  /**
   * @return the last lines the server printed (stdout and stderr) since it was last started, oldest
   *     first
   */
  public List<String> lastOutput() {
    Thread r = reader;
    if (r != null && process != null && !process.isAlive()) {
      try {
        // A server that died a moment ago may have last words still in the pipe. Bounded: a
        // child that inherited stdout keeps the pipe open after its parent's death.
        r.join(Duration.ofMillis(500));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      return List.copyOf(output);
    }
  }

  /**
   * Waits until the server listens, the process dies, or the time is up. Listening means: for TCP,
   * the server (its pid or a descendant, e.g. a JVM under a wrapper script) holds a socket in state
   * LISTEN on the port, and a connect(2) succeeds; for UDP, it holds a socket bound to the port
   * (UDP has no handshake to try); for a path, a connect(2) to it succeeds. Asking whose socket it
   * is, rather than only connecting, keeps a previous run's child that inherited the listening
   * socket from passing for the new server; and reading /proc/net/udp, rather than trying our own
   * bind(2), never takes the port from under a server about to bind it.
   *
   * @param timeout longest wait
   * @param udp whether the server speaks UDP
   * @return true when it listens
   */
  public boolean awaitListening(Duration timeout, boolean udp) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0 && process.isAlive()) {
      if (listens(udp)) {
        return true;
      }
      try {
        process.waitFor(20, TimeUnit.MILLISECONDS); // poll: nothing tells us when bind() is done
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /**
   * @param udp whether the server speaks UDP
   * @return whether the server listens right now (see {@link #awaitListening})
   */
  public boolean listens(boolean udp) {
    if (!isAlive()) {
      return false;
    }
    if (path != null) {
      return connects();
    }
    return udp ? holdsPort(true) : holdsPort(false) && connects();
  }

  private boolean connects() {
    try {
      if (path != null) {
        try (var ch =
            java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(path))) {
          return true;
        }
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return true;
      }
    } catch (IOException e) {
      return false;
    }
  }

  // Whether a socket of the server's (pid or descendant) is bound to the port: TCP in state LISTEN,
  // UDP in any state. The kernel lists sockets in /proc/net/{tcp,tcp6,udp,udp6} by inode, and
  // /proc/PID/fd/N links to "socket:[INODE]".
  private boolean holdsPort(boolean udp) {
    Set<String> ours = socketInodes();
    String proto = udp ? "udp" : "tcp";
    boolean readable = false;
    for (String table : List.of(proto, proto + "6")) {
      List<String> rows;
      try {
        rows = Files.readAllLines(Path.of("/proc/net", table));
        readable = true;
      } catch (IOException e) {
        continue; // no IPv6, say
      }
      for (String row : rows.subList(Math.min(1, rows.size()), rows.size())) {
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        String[] f = row.trim().split("\\s+");
        if (f.length < 10) {
          continue;
        }
        String local = f[1];
        int rowPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
        boolean listening = udp || f[3].equals("0A"); // 0A is TCP_LISTEN
        if (rowPort == port && listening && ours.contains(f[9])) {
          return true;
        }
      }
    }
    return !readable; // without /proc/net, the connect(2) alone decides
  }

  // The inodes of every socket the server and its descendants have open.
  private Set<String> socketInodes() {
    Set<String> inodes = new HashSet<>();
    Stream.concat(Stream.of(process.pid()), process.descendants().map(ProcessHandle::pid))
        .forEach(pid -> addSocketInodes(pid, inodes));
    return inodes;
  }

  private static void addSocketInodes(long pid, Set<String> into) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      fds.forEach(
          fd -> {
            try {
              String link = Files.readSymbolicLink(fd).toString(); // readlink(2)
              if (link.startsWith("socket:[")) {
                into.add(link.substring("socket:[".length(), link.length() - 1));
              }
            } catch (IOException e) {
              // closed while we looked
            }
          });
    } catch (IOException | UncheckedIOException e) {
      // the process ended, or its fds are not ours to read
    }
  }

  /**
   * @return the server's pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * @return whether the server process is running
   */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** kill(pid, SIGTERM): a graceful stop. Only the server's pid gets it, as from kill(1). */
  public void terminate() {
    process.destroy(); // kill(pid, SIGTERM) on Linux
  }

  /**
   * kill(pid, SIGKILL), then waits up to 5 s for the process to end: no handler runs, nothing is
   * cleaned up. Only the server's pid gets it: its children, if any, live on.
   */
  public void kill() {
    process.destroyForcibly(); // kill(pid, SIGKILL)
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * @param timeout longest wait
   * @return the exit status (128 + signal number if a signal ended it), or -1 if still running
   */
  public int waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * @return the server's open file descriptors (entries of /proc/PID/fd), or -1 if unreadable
   */
  public int fdCount() {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * A child process of the server.
   *
   * @param pid its pid
   * @param state its state letter in /proc/PID/stat: R running, S sleeping, Z zombie ...
   */
  public record Child(long pid, char state) {
    /**
     * @return whether it has exited and waits for its parent's waitpid() ({@code <defunct>})
     */
    public boolean zombie() {
      return state == 'Z';
    }
  }

  /**
   * The server's children, zombies included (ProcessHandle lists them: the kernel keeps a zombie's
   * /proc/PID until its parent reaps it; checked against a fork()-per-client server that never
   * calls waitpid()).
   *
   * @return its children now, with their states; empty when it has none or is not running
   */
  public List<Child> children() {
    if (process == null) {
      return List.of();
    }
    List<Child> children = new ArrayList<>();
    process
        .toHandle()
        .children()
        .forEach(
            h -> {
              char state = state(h.pid());
              if (state != '?') {
                children.add(new Child(h.pid(), state));
              }
            });
    return children;
  }

  /**
   * @return pids of the server's children that have exited but were not waited for (state Z in
   *     /proc/PID/stat: {@code <defunct>} in ps)
   */
  public List<Long> zombieChildren() {
    return children().stream().filter(Child::zombie).map(Child::pid).toList();
  }

  // The state letter in /proc/PID/stat, or '?' once the process is gone (reaped meanwhile).
  private static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // pid (comm) STATE ...: comm may hold spaces and parentheses, so look after the last ')'.
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (IOException | RuntimeException e) {
      return '?';
    }
  }

  /** Kills the server if it still runs, and removes the temporary directory. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      kill();
    }
    if (path != null) {
      try {
        Files.deleteIfExists(path);
        Files.deleteIfExists(path.getParent());
      } catch (IOException e) {
        // a temporary directory left behind in /tmp
      }
    }
  }
}
