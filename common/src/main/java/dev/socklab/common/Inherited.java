package dev.socklab.common;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Sockets a service manager makes and hands over, instead of the server making them: the connection
 * of one client on standard input ({@code --inetd}: inetd, systemd {@code Accept=yes}, socat {@code
 * EXEC:}), or a listening socket, on standard input ({@code StandardInput=socket}) or as fd 3
 * onwards with {@code LISTEN_FDS} ({@code man 3 sd_listen_fds}). docs/daemon.md says which server
 * takes which.
 */
public final class Inherited {
  /**
   * The first fd passed with {@code LISTEN_FDS} ({@code SD_LISTEN_FDS_START}, man 3 sd_listen_fds).
   */
  public static final int SD_LISTEN_FDS_START = 3;

  private Inherited() {}

  /**
   * sd_listen_fds(3) without unsetting anything: how many listening sockets systemd (or {@code
   * systemd-socket-activate}) passed to this process, as fds 3, 4, ...
   *
   * @return 0 unless {@code LISTEN_PID} is this process's pid and {@code LISTEN_FDS} is a count of
   *     1 or more (the variables may have been meant for a parent, which then exec'd us without
   *     clearing them: {@code man 3 sd_listen_fds})
   */
  public static int listenFds() {
    return listenFds(System.getenv(), ProcessHandle.current().pid());
  }

  /**
   * {@link #listenFds()} on given variables (tests).
   *
   * @param env the environment
   * @param pid this process's pid
   * @return the number of fds passed, 0 if none are for {@code pid}
   */
  static int listenFds(Map<String, String> env, long pid) {
    try {
      if (Long.parseLong(env.getOrDefault("LISTEN_PID", "")) != pid) {
        return 0;
      }
      return Math.max(0, Integer.parseInt(env.getOrDefault("LISTEN_FDS", "")));
    } catch (NumberFormatException e) {
      return 0; // sd_listen_fds returns -EINVAL: nothing usable was passed
    }
  }

  /**
   * {@code --inetd}: the one connection on standard input. From now on nothing may be printed to
   * stdout, which inetd and socat point at the same connection: {@link System#out} becomes stderr,
   * reopened so that it outlives the connection's close.
   *
   * @param calls traces what fd 0 is
   * @param example how to start the server this way, for the error, e.g. {@code socat
   *     TCP-LISTEN:7007,fork EXEC:'socklab echo-server --inetd'}
   * @return the connected channel, blocking
   * @throws UserError if standard input is no connected stream socket, naming what it is
   * @throws IOException if the JDK cannot wrap fd 0
   */
  public static SocketChannel connection(SocketCalls calls, String example) throws IOException {
    Channel ch = calls.inheritedChannel();
    if (ch instanceof SocketChannel c) {
      keepStderr();
      return c;
    }
    if (ch instanceof ServerSocketChannel) {
      throw new UserError(
          "--inetd serves one connection on standard input, but standard input is a listening"
              + " socket: leave out --inetd to serve it (systemd Accept=no)");
    }
    throw new UserError(
        "--inetd serves one connection on standard input, but standard input is "
            + describeStdin()
            + ", not a socket: start it from inetd, systemd (Accept=yes, StandardInput=socket) or "
            + example);
  }

  /**
   * A listening socket on standard input (systemd {@code Accept=no} with {@code
   * StandardInput=socket}, {@code systemd-socket-activate --inetd} without {@code --accept}).
   *
   * @param calls traces what fd 0 is
   * @return the listening channel (blocking), or null when standard input is no socket; when there
   *     is one, {@link System#out} becomes stderr (reopened), as stdout may be that socket too
   * @throws UserError if standard input is a connected socket (the server needs {@code --inetd})
   * @throws IOException if the JDK cannot wrap fd 0
   */
  public static ServerSocketChannel listener(SocketCalls calls) throws IOException {
    Channel ch = calls.inheritedChannel();
    if (ch instanceof SocketChannel) {
      throw new UserError(
          "standard input is a connected socket (inetd, Accept=yes): add --inetd to serve that"
              + " one connection");
    }
    if (ch instanceof ServerSocketChannel l) {
      keepStderr();
      return l;
    }
    return null;
  }

  /**
   * Whether descriptor {@code fd} is a listening socket of the family asked for, as {@code /proc}
   * tells ({@code man 5 proc}): {@code /proc/self/fd/FD} names the socket's inode, which {@code
   * /proc/net/unix} lists with flag {@code __SO_ACCEPTCON} (0x10000) when it listens, and {@code
   * /proc/net/tcp} or {@code tcp6} with state 0A (LISTEN). The check getsockopt(SO_DOMAIN) and
   * getsockopt(SO_ACCEPTCONN) make in C ({@code sd_is_socket}, man 3 sd_is_socket), where Java has
   * neither.
   *
   * @param fd an inherited descriptor, e.g. 3
   * @param unix AF_UNIX (else TCP)
   * @return true if it is such a listening socket; false if not, or if /proc cannot tell
   */
  public static boolean isListeningSocket(int fd, boolean unix) {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      if (!link.startsWith("socket:[")) {
        return false;
      }
      String inode = link.substring("socket:[".length(), link.length() - 1);
      if (unix) {
        // Num RefCount Protocol Flags Type St Inode [Path]
        return table("/proc/net/unix", 6, inode, f -> (Integer.parseInt(f[3], 16) & 0x10000) != 0);
      }
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      return table("/proc/net/tcp", 9, inode, f -> f[3].equals("0A"))
          || table("/proc/net/tcp6", 9, inode, f -> f[3].equals("0A"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  // Whether the row of `file` whose column `col` is `inode` satisfies `test`.
  private static boolean table(
      String file, int col, String inode, java.util.function.Predicate<String[]> test)
      throws IOException {
    for (String line : Files.readAllLines(Path.of(file))) {
      String[] f = line.trim().split("\\s+");
      if (f.length > col && f[col].equals(inode)) {
        return test.test(f);
      }
    }
    return false;
  }

  // Closing an inherited channel makes the JDK point fds 0, 1 and 2 at /dev/null
  // (sun.nio.ch.InheritedChannel), which would silence the log and the summary from then on:
  // stderr gets a descriptor of its own, opened (O_APPEND) on the same pipe, terminal or file.
  // stdout may be the inherited socket itself (inetd, StandardOutput=inherit): it goes to stderr.
  private static void keepStderr() {
    try {
      System.setErr(
          new PrintStream(
              new FileOutputStream("/proc/self/fd/2", true), true, System.err.charset()));
    } catch (IOException | SecurityException e) {
      // A socket (systemd's journal stream) cannot be reopened: lines after the close are lost.
    }
    System.setOut(System.err);
  }

  // What fd 0 is, as /proc says: "a terminal (/dev/pts/3)", "a pipe (pipe:[4711])", "/dev/null".
  private static String describeStdin() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
      if (target.startsWith("pipe:")) {
        return "a pipe (" + target + ")";
      }
      if (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")) {
        return "a terminal (" + target + ")";
      }
      return target;
    } catch (IOException | UnsupportedOperationException e) {
      return "something else";
    }
  }
}
