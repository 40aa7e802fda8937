package dev.socklab.client;

import dev.socklab.common.SocketCalls;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connected stream socket as the clients use it, TCP or AF_UNIX: two streams, half-close, and an
 * optional read timeout. Reads and writes on the streams go through {@link SocketCalls} at the call
 * site; half-close and the timeout are made and traced here.
 */
public interface Conn extends Closeable {
  /**
   * @return the stream to read the peer's bytes from; -1 at EOF
   * @throws IOException if the connection is closed
   */
  InputStream in() throws IOException;

  /**
   * @return the stream to write to the peer; a write returns once the kernel has taken every byte
   * @throws IOException if the connection is closed
   */
  OutputStream out() throws IOException;

  /**
   * shutdown(SHUT_WR): send EOF, keep reading.
   *
   * @throws IOException if the connection is closed
   */
  void shutdownOutput() throws IOException;

  /**
   * A read that waits longer than {@code timeout} throws {@link SocketTimeoutException}.
   *
   * @param timeout the longest wait per read
   */
  void readTimeout(Duration timeout) throws IOException;

  /**
   * Aborts the connection: TCP sets SO_LINGER to 0 so that close(2) sends RST instead of FIN (the
   * peer's next read or write fails with ECONNRESET or EPIPE); AF_UNIX has no RST and just closes.
   *
   * @throws IOException if the connection is already closed
   */
  default void reset() throws IOException {
    close();
  }

  /** An input stream whose one-byte {@code read()} is its bulk read of one byte. */
  abstract class BulkInput extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  /**
   * A TCP connection ({@link Socket}; the timeout is SO_RCVTIMEO).
   *
   * @param s a connected socket
   * @param calls where its shutdown, timeout and close are made and traced
   * @return the connection
   */
  static Conn of(Socket s, SocketCalls calls) {
    return new Conn() {
      @Override
      public InputStream in() throws IOException {
        return s.getInputStream();
      }

      @Override
      public OutputStream out() throws IOException {
        return s.getOutputStream();
      }

      @Override
      public void shutdownOutput() throws IOException {
        calls.shutdown(s, SocketCalls.How.SHUT_WR);
      }

      @Override
      public void readTimeout(Duration timeout) throws IOException {
        calls.setReadTimeout(s, timeout.isZero() ? Duration.ofMillis(1) : timeout);
      }

      @Override
      public void reset() throws IOException {
        calls.setsockopt(s, StandardSocketOptions.SO_LINGER, 0); // close(2) now sends RST
        calls.close(s);
      }

      @Override
      public void close() {
        calls.close(s);
      }
    };
  }

  /**
   * An AF_UNIX connection ({@link SocketChannel}). Channel streams have no SO_RCVTIMEO in Java, so
   * a read that outlives the timeout is ended by closing the channel, and reported as a timeout.
   *
   * @param ch a connected AF_UNIX channel in blocking mode
   * @param calls where its shutdown and close are made and traced
   * @return the connection
   */
  static Conn of(SocketChannel ch, SocketCalls calls) {
    return new Conn() {
      private final InputStream raw = Channels.newInputStream(ch);
      private final OutputStream out = Channels.newOutputStream(ch);
      private ScheduledExecutorService timer;
      private Duration timeout;

      @Override
      public InputStream in() {
        return new BulkInput() {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (timeout == null) {
              return raw.read(b, off, len);
            }
            AtomicBoolean fired = new AtomicBoolean();
            ScheduledFuture<?> alarm =
                timer.schedule(
                    () -> {
                      fired.set(true);
                      calls.close(ch); // the only way to end a channel read that waits too long
                    },
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
              return raw.read(b, off, len);
            } catch (IOException e) {
              if (fired.get()) {
                throw new SocketTimeoutException("no data within " + timeout.toMillis() + " ms");
              }
              throw e;
            } finally {
              alarm.cancel(false);
            }
          }
        };
      }

      @Override
      public OutputStream out() {
        return out;
      }

      @Override
      public void shutdownOutput() throws IOException {
        calls.shutdown(ch, SocketCalls.How.SHUT_WR);
      }

      @Override
      public void readTimeout(Duration t) {
        timeout = t;
        if (timer == null) {
          timer =
              Executors.newSingleThreadScheduledExecutor(
                  r -> Thread.ofPlatform().daemon(true).name("read-timeout").unstarted(r));
        }
      }

      @Override
      public void close() throws IOException {
        if (timer != null) {
          timer.shutdownNow();
        }
        calls.close(ch);
      }
    };
  }
}
