package dev.socklab.common;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safety rules for AF_UNIX socket paths ({@code man 7 unix}), shared by every server and client
 * that uses one.
 *
 * <ul>
 *   <li>{@code sun_path} holds 108 bytes including the terminating NUL: a longer path is refused
 *       with a clear line instead of being cut.
 *   <li>Before bind, an existing path is checked: not a socket, refuse and touch nothing; a socket
 *       nobody accepts on (connect(2) gets ECONNREFUSED), stale: remove it and say so; a socket
 *       somebody accepts on, live: refuse, never steal another server's path.
 *   <li>The default lives in a private directory: {@code $XDG_RUNTIME_DIR/socklab}, else {@code
 *       /tmp/socklab-UID}, created with mode 0700.
 * </ul>
 */
public final class UnixSocketPaths {
  private static final Logger log = LoggerFactory.getLogger(UnixSocketPaths.class);

  /** Longest path in bytes: sun_path is 108 bytes and needs a terminating NUL. */
  public static final int MAX_PATH_BYTES = 107;

  private UnixSocketPaths() {}

  /** What is at a socket path before bind. */
  public enum State {
    /** Nothing: bind can create it. */
    FREE,
    /** A socket file nobody accepts on (its server died without removing it). */
    STALE,
    /** A socket file a server accepts connections on. */
    LIVE,
    /** Something that is not a socket (a regular file, a directory...). */
    NOT_A_SOCKET
  }

  /**
   * The default socket path of a socklab server: {@code $XDG_RUNTIME_DIR/socklab/NAME}, else {@code
   * /tmp/socklab-UID/NAME}. The directory is not created here; see {@link #privateDirectory(Path)}.
   *
   * @param name the socket file's name, e.g. {@code echo.sock}
   * @return the path
   */
  public static Path defaultPath(String name) {
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
      return Path.of(runtime, "socklab", name);
    }
    return Path.of("/tmp", "socklab-" + uid(), name);
  }

  /**
   * Creates {@code dir} with mode 0700 if it does not exist, and checks that it is a directory
   * owned by us that nobody else can write to.
   *
   * @param dir the directory to hold socket files
   * @throws UserError if it cannot be created, is not a directory, or is open to others
   */
  public static void privateDirectory(Path dir) {
    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(owner));
        Files.setPosixFilePermissions(dir, owner); // the umask may have removed bits; set exactly
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new UserError(dir + " is not a directory: cannot put a socket in it");
      }
      int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      Set<PosixFilePermission> perms =
          Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      if (uid != uid()
          || perms.contains(PosixFilePermission.GROUP_WRITE)
          || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new UserError(
            dir + " belongs to someone else or others can write to it: choose another --path");
      }
    } catch (IOException e) {
      throw new UserError("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code path} fits in sun_path.
   *
   * @param path a socket path
   * @throws UserError if its UTF-8 form is longer than {@value #MAX_PATH_BYTES} bytes
   */
  public static void checkLength(Path path) {
    int n = path.toString().getBytes(StandardCharsets.UTF_8).length;
    if (n > MAX_PATH_BYTES) {
      throw new UserError(
          "socket path is "
              + n
              + " bytes, longer than sun_path allows ("
              + MAX_PATH_BYTES
              + " bytes + NUL, man 7 unix): choose a shorter --path");
    }
  }

  /**
   * Checks a name for Linux's abstract namespace: sun_path is a NUL byte and then the name, so the
   * name has at most 107 bytes ({@code man 7 unix}).
   *
   * @param name the name without the leading NUL (what {@code ss -x} shows after {@code @})
   * @throws UserError if it is empty, longer than {@value #MAX_PATH_BYTES} bytes of UTF-8, or
   *     contains a NUL byte
   */
  public static void checkAbstractName(String name) {
    if (name.indexOf('\0') >= 0) {
      throw new UserError("an abstract socket name cannot contain a NUL byte");
    }
    int n = name.getBytes(StandardCharsets.UTF_8).length;
    if (n == 0 || n > MAX_PATH_BYTES) {
      throw new UserError(
          "an abstract socket name must be 1 to "
              + MAX_PATH_BYTES
              + " bytes (sun_path is a NUL and then the name, man 7 unix), not "
              + n
              + " bytes");
    }
  }

  /**
   * Finds out what is at {@code path}: nothing, a stale socket, a live socket, or something else. A
   * socket is probed with connect(2), exactly as a client would.
   *
   * @param path a socket path
   * @return its state
   * @throws IOException if the path cannot be examined (e.g. permission denied)
   */
  public static State probe(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return State.FREE;
    }
    if (!isSocket(path)) {
      return State.NOT_A_SOCKET;
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(path)); // connect(2)
      return State.LIVE;
    } catch (ConnectException e) {
      return State.STALE; // ECONNREFUSED: a socket file with no server behind it
    }
  }

  /**
   * Makes {@code path} ready for bind(2): refuses a live socket or a non-socket, removes a stale
   * socket (and logs it).
   *
   * @param path the path a server is about to bind
   * @param startedBy how to name the refused server in the error, e.g. "uds-server"
   * @throws UserError if the path is too long, is not a socket, or a server is live on it
   */
  public static void prepareForBind(Path path, String startedBy) {
    checkLength(path);
    try {
      switch (probe(path)) {
        case FREE -> {}
        case STALE -> {
          Files.deleteIfExists(path); // unlink(2)
          log.info("removed stale socket {} (nobody accepted on it)", path);
        }
        case LIVE ->
            throw new UserError(
                "another server is live on "
                    + path
                    + ": stop it first, or choose another --path (a "
                    + startedBy
                    + " never takes over a live socket)");
        case NOT_A_SOCKET ->
            throw new UserError(
                path + " exists and is not a socket: left untouched; choose another --path");
      }
    } catch (IOException e) {
      throw new UserError("cannot examine " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Puts a socket file that was bound at a private temporary path in place at {@code target} with
   * link(2), which fails rather than replace whatever appeared at {@code target} meanwhile, then
   * removes the temporary name.
   *
   * @param bound the path the socket was bound at (its mode already set)
   * @param target where clients will find it
   * @throws UserError if something appeared at {@code target} since {@link #prepareForBind}
   * @throws IOException if linking or unlinking fails otherwise
   */
  public static void linkIntoPlace(Path bound, Path target) throws IOException {
    try {
      Files.createLink(target, bound); // link(2): never replaces an existing file
    } catch (FileAlreadyExistsException e) {
      throw new UserError(target + " appeared while starting: another server got there first", e);
    } finally {
      try {
        Files.delete(bound); // unlink(2) the temporary name; the socket keeps its other name
      } catch (NoSuchFileException e) {
        // already gone
      }
    }
  }

  /**
   * @param path any path
   * @return whether it is a socket file (S_ISSOCK), without following a symlink
   * @throws IOException if it cannot be examined
   */
  public static boolean isSocket(Path path) throws IOException {
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & 0xF000) == 0xC000; // S_IFMT, S_IFSOCK
  }

  /**
   * @return this process's real user id
   */
  public static int uid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }
}
