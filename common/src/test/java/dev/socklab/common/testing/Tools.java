package dev.socklab.common.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks for the real peers interop tests need (nc, socat, ip). Locally a missing tool skips the
 * test with its reason; with {@code SOCKLAB_REQUIRE_ALL_TESTS=1} (set by .ci/run) it fails it, so
 * CI always runs every interop test.
 */
public final class Tools {
  /** The environment variable that turns a skip into a failure. */
  public static final String REQUIRE_ALL = "SOCKLAB_REQUIRE_ALL_TESTS";

  private Tools() {}

  /** Requires OpenBSD netcat ({@code nc -N}, {@code nc -U}), Debian's netcat-openbsd. */
  public static void requireOpenBsdNetcat() {
    boolean ok = onPath("nc") && helpMentions("OpenBSD", "nc", "-h");
    skipOrFail(ok, "OpenBSD netcat is not installed (apt-get install netcat-openbsd)");
  }

  /** Requires socat. */
  public static void requireSocat() {
    skipOrFail(onPath("socat"), "socat is not installed (apt-get install socat)");
  }

  /** Requires systemd-socket-activate (Debian's systemd package; no running systemd needed). */
  public static void requireSystemdSocketActivate() {
    skipOrFail(
        onPath("systemd-socket-activate"),
        "systemd-socket-activate is not installed (apt-get install systemd)");
  }

  /** Requires systemd-analyze, for {@code systemd-analyze verify} of unit files. */
  public static void requireSystemdAnalyze() {
    skipOrFail(
        onPath("systemd-analyze"), "systemd-analyze is not installed (apt-get install systemd)");
  }

  /**
   * Requires root (uid 0): for tests that make namespaces or bind-mount over system files. No sudo
   * fallback: such a test runs its commands in its own process tree.
   *
   * @param what what the test does that needs root, for the skip message
   */
  public static void requireRoot(String what) {
    skipOrFail(isRoot(), what + " needs root (uid 0); run the tests as root, as .ci/run does");
  }

  /**
   * @return whether this process runs as root (by uid, not by name)
   */
  public static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /**
   * Skips (locally) or fails (in CI) the calling test unless {@code ok}.
   *
   * @param ok whether the precondition holds
   * @param why what is missing and how to get it
   */
  public static void skipOrFail(boolean ok, String why) {
    if (ok) {
      return;
    }
    if ("1".equals(System.getenv(REQUIRE_ALL))) {
      fail(why + " — and " + REQUIRE_ALL + "=1 says every test must run");
    }
    Assumptions.abort(why);
  }

  /**
   * @param tool a command name
   * @return whether an executable of that name is on PATH
   */
  public static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static boolean helpMentions(String word, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(5, TimeUnit.SECONDS);
      return out.contains(word);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
