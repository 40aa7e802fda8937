package dev.socklab.common.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external command (nc, socat, a socklab jar) to completion, with a hard time limit. */
public final class Proc {
  private Proc() {}

  /**
   * What a finished command did.
   *
   * @param exit its exit code
   * @param stdout everything it wrote to stdout
   * @param stderr everything it wrote to stderr
   */
  public record Result(int exit, byte[] stdout, String stderr) {
    /**
     * @return stdout as UTF-8 text
     */
    public String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  /**
   * Runs {@code command}, feeds it {@code stdin} then EOF, and waits for it.
   *
   * @param timeout the longest it may run; past it the process is killed and the test fails
   * @param stdin bytes for its standard input
   * @param command the program and its arguments
   * @return its exit code and output
   */
  public static Result run(Duration timeout, byte[] stdin, List<String> command) {
    try {
      Process p = new ProcessBuilder(command).start();
      CompletableFuture<byte[]> out = drain(p.getInputStream());
      CompletableFuture<byte[]> err = drain(p.getErrorStream());
      Thread.ofVirtual()
          .start(
              () -> {
                try (OutputStream in = p.getOutputStream()) {
                  in.write(stdin);
                } catch (IOException e) {
                  // the process exited without reading all of it; its result says why
                }
              });
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a stream to its end on a virtual thread.
   *
   * @param in a process's output
   * @return all its bytes, once the stream ends
   */
  public static CompletableFuture<byte[]> drain(InputStream in) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (in) {
                result.complete(in.readAllBytes());
              } catch (IOException e) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }
}
