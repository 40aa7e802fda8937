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
import java.util.Deque;
import java.util.List;
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
    process = new ProcessBuilder("sh", "-c", "exec " + command()).redirectErrorStream(true).start();
    Process p = process;
    Thread.ofVirtual()
        .start(
            () -> {
              try (var lines = p.inputReader().lines()) {
                lines.forEach(this::keep);
              } catch (UncheckedIOException e) {
                // the process ended
              }
            });
  }

  private synchronized void keep(String line) {
    output.addLast(line);
    if (output.size() > KEPT_LINES) {
      output.removeFirst();
    }
  }

  /**
   * @return the last lines the server printed (stdout and stderr), oldest first
   */
  public synchronized List<String> lastOutput() {
    return List.copyOf(output);
  }

  /**
   * Waits until a TCP or AF_UNIX connect(2) succeeds (for UDP: until the process has run for a
   * moment, since UDP has no handshake to wait for), the process dies, or the time is up.
   *
   * @param timeout longest wait
   * @param udp whether the server speaks UDP
   * @return true when it listens
   */
  public boolean awaitListening(Duration timeout, boolean udp) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0 && process.isAlive()) {
      if (udp ? udpBound() : connects()) {
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

  // A UDP port is taken once the server has bound it: our own bind to it then fails.
  private boolean udpBound() {
    try (var s = new java.net.DatagramSocket(null)) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return false;
    } catch (IOException e) {
      return true;
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

  /** kill(pid, SIGTERM): a graceful stop. */
  public void terminate() {
    process.destroy(); // SIGTERM on Linux
  }

  /** kill(pid, SIGKILL): no handler runs, nothing is cleaned up. */
  public void kill() {
    process.destroyForcibly();
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
   * @return pids of the server's children that have exited but were not waited for (state Z in
   *     /proc/PID/stat: {@code <defunct>} in ps)
   */
  public List<Long> zombieChildren() {
    return process
        .toHandle()
        .children()
        .map(ProcessHandle::pid)
        .filter(Launched::isZombie)
        .toList();
  }

  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // pid (comm) STATE ...: comm may hold spaces and parentheses, so look after the last ')'.
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
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
