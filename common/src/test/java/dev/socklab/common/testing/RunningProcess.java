package dev.socklab.common.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process under test, with its stdout and stderr collected line by line and its stdin open for
 * writing: a socklab command in its own JVM, started as {@code ./socklab} starts it ({@code java
 * -jar MODULE.jar}), or a real peer such as {@code nc}.
 */
public final class RunningProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on \\S*?:(\\d+)");

  private final Process process;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final List<String> err = new CopyOnWriteArrayList<>();
  private volatile int drained; // output streams read to their end, 0-2

  private RunningProcess(Process process) {
    this.process = process;
    collect(process.getInputStream(), out);
    collect(process.getErrorStream(), err);
  }

  /**
   * Starts the jar the failsafe plugin names in the system property {@code socklab.jar}.
   *
   * @param args the command's arguments
   * @return the running process
   */
  public static RunningProcess start(String... args) {
    return startCommand(command(args));
  }

  /**
   * Starts any command, e.g. {@code nc 127.0.0.1 PORT}.
   *
   * @param command the program and its arguments
   * @return the running process
   */
  public static RunningProcess startCommand(List<String> command) {
    try {
      return new RunningProcess(new ProcessBuilder(command).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes to the process's stdin and flushes.
   *
   * @param bytes what to write
   */
  public void write(byte[] bytes) {
    try {
      process.getOutputStream().write(bytes);
      process.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes one line (UTF-8, then {@code \n}) to the process's stdin.
   *
   * @param line the text
   */
  public void writeLine(String line) {
    write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Closes the process's stdin: it reads EOF. */
  public void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The command line that runs the module's jar as {@code ./socklab} does.
   *
   * @param args the command's arguments
   * @return {@code java --enable-native-access=ALL-UNNAMED -jar JAR args...}
   */
  public static List<String> command(String... args) {
    return command(List.of(), args);
  }

  /**
   * The command line that runs the module's jar with extra JVM options, e.g. a small heap.
   *
   * @param jvmOptions options for the JVM, e.g. {@code -Xmx32m}
   * @param args the command's arguments
   * @return {@code java --enable-native-access=ALL-UNNAMED OPTIONS -jar JAR args...}
   */
  public static List<String> command(List<String> jvmOptions, String... args) {
    String jar = System.getProperty("socklab.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "system property socklab.jar must name the module's jar (run as an *IT with failsafe)");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar));
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Waits for the startup banner and returns the port it names.
   *
   * @param timeout how long to wait for the banner
   * @return the bound port
   */
  public int awaitListeningPort(Duration timeout) {
    String banner = awaitStdout("listening on", timeout);
    Matcher m = LISTENING.matcher(banner);
    if (!m.find()) {
      throw new AssertionError("banner names no port: " + banner);
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * Waits until a stdout line contains {@code text}.
   *
   * @param text the text to find
   * @param timeout the longest wait
   * @return the first such line
   */
  public String awaitStdout(String text, Duration timeout) {
    return awaitLine(out, text, timeout);
  }

  /**
   * Waits until a stderr (log) line contains {@code text}.
   *
   * @param text the text to find
   * @param timeout the longest wait
   * @return the first such line
   */
  public String awaitStderr(String text, Duration timeout) {
    return awaitLine(err, text, timeout);
  }

  private String awaitLine(List<String> lines, String text, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> lines.stream().anyMatch(l -> l.contains(text)) || drained == 2);
    return lines.stream()
        .filter(l -> l.contains(text))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "process output ended without a line containing '"
                        + text
                        + "'; stdout="
                        + out
                        + " stderr="
                        + err));
  }

  /**
   * Sends SIGTERM and waits for the exit. (Through the {@link ProcessHandle}: {@link
   * Process#destroy()} would also close our ends of the pipes and lose the last output.)
   *
   * @param timeout the longest wait
   * @return the exit code
   */
  public int terminate(Duration timeout) {
    process.toHandle().destroy(); // kill(pid, SIGTERM)
    return waitFor(timeout);
  }

  /**
   * Waits for the process to exit and for its output to be collected.
   *
   * @param timeout the longest wait
   * @return the exit code
   */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("process did not exit within " + timeout + "; stderr=" + err);
      }
      // Let the reader threads take the last lines.
      await().atMost(Duration.ofSeconds(5)).until(() -> drained == 2);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * @return the process, e.g. for its pid
   */
  public Process process() {
    return process;
  }

  /**
   * @return stdout lines so far
   */
  public List<String> stdout() {
    return out;
  }

  /**
   * @return stderr lines so far
   */
  public List<String> stderr() {
    return err;
  }

  private void collect(InputStream stream, List<String> into) {
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  into.add(line);
                }
              } catch (IOException e) {
                // process killed; what was read is kept
              } finally {
                synchronized (this) {
                  drained++;
                }
              }
            });
  }

  // Its children too: a launcher waiting on flock(1) has one, which would keep the output pipes
  // open and this process's readers blocked (pinning their carrier threads) after it is gone.
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
