package dev.socklab.netty;

import dev.socklab.common.Trace;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3): tells the service manager the server is ready, for {@code Type=notify} units
 * ({@code man 5 systemd.service}). The message is one datagram of {@code KEY=VALUE} lines sent to
 * the AF_UNIX datagram socket named by {@code $NOTIFY_SOCKET} (a path, or {@code @name} in the
 * abstract namespace), exactly as libsystemd does: socket(AF_UNIX, SOCK_DGRAM), sendto(2),
 * close(2). The JDK has no AF_UNIX datagram sockets, so this uses the native socket of Netty's
 * epoll transport.
 */
public final class SdNotify {
  private static final Logger log = LoggerFactory.getLogger(SdNotify.class);

  private SdNotify() {}

  /**
   * Sends {@code READY=1}, a {@code STATUS=} line and {@code MAINPID=}, if a service manager asked
   * for it.
   *
   * @param status one line for {@code systemctl status}, e.g. the banner
   * @param trace where the calls are traced
   * @return true if the datagram was sent; false when {@code $NOTIFY_SOCKET} is unset (not started
   *     by a Type=notify unit), or the message could not be sent (logged: systemd then times out
   *     waiting, which names the problem in {@code systemctl status})
   */
  public static boolean ready(String status, Trace trace) {
    String target = System.getenv("NOTIFY_SOCKET");
    if (target == null || target.isEmpty()) {
      return false;
    }
    String message =
        "READY=1\nSTATUS="
            + status.replace('\n', ' ')
            + "\nMAINPID="
            + ProcessHandle.current().pid()
            + "\n";
    return send(target, message, trace);
  }

  /**
   * Sends one notification datagram.
   *
   * @param target {@code $NOTIFY_SOCKET}: a socket path, or {@code @name} for the abstract
   *     namespace
   * @param message {@code KEY=VALUE} lines
   * @param trace where the calls are traced
   * @return whether it was sent
   */
  static boolean send(String target, String message, Trace trace) {
    if (!Epoll.isAvailable()) {
      log.warn("NOTIFY_SOCKET is set but Netty's native transport is unavailable: not notifying");
      return false;
    }
    // "@name" is "\0name" in sun_path (man 7 unix).
    byte[] path =
        (target.startsWith("@") ? "\0" + target.substring(1) : target)
            .getBytes(StandardCharsets.UTF_8);
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    Socket socket = Socket.newSocketDomainDgram(); // socket(AF_UNIX, SOCK_DGRAM)
    try {
      socket.sendToDomainSocket(buf, 0, bytes.length, path); // sendto(2)
      trace.call("sendto(" + target + ", " + bytes.length + " bytes)  sd_notify READY=1");
      return true;
    } catch (IOException e) {
      trace.failed("sendto(" + target + ")", e);
      log.warn("could not notify the service manager at {}: {}", target, e.getMessage());
      return false;
    } finally {
      try {
        socket.close(); // close(2)
      } catch (IOException e) {
        // the datagram is sent or not; the descriptor is gone either way
      }
    }
  }
}
