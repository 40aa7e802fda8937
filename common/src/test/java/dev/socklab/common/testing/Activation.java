package dev.socklab.common.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * For tests of servers a service manager starts: {@code systemd-socket-activate} command lines
 * ({@code man 8 systemd-socket-activate}), a free loopback port for it or socat to listen on, a
 * connect that waits for that listener, and the pids servers report.
 */
public final class Activation {
  private static final Pattern PID = Pattern.compile("pid (\\d+)");

  private Activation() {}

  /**
   * A port free on 127.0.0.1 right now, for a listener that must be told its port (socat,
   * systemd-socket-activate): bound to port 0, then closed.
   *
   * @return the port
   */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code systemd-socket-activate [--accept] [--inetd] -l LISTEN [-E ENV]... SERVER...}.
   *
   * @param listen {@code 127.0.0.1:PORT} or a socket path
   * @param accept one server process per connection ({@code Accept=yes})
   * @param inetd the socket on standard input rather than fd 3 with {@code LISTEN_FDS}
   * @param env {@code NAME=VALUE} for the server
   * @param server the server's command line
   * @return the command line
   */
  public static List<String> socketActivate(
      String listen, boolean accept, boolean inetd, List<String> env, List<String> server) {
    List<String> c = new ArrayList<>(List.of("systemd-socket-activate", "-l", listen));
    if (accept) {
      c.add("--accept");
    }
    if (inetd) {
      c.add("--inetd");
    }
    env.forEach(e -> c.addAll(List.of("-E", e)));
    c.addAll(server);
    return c;
  }

  /**
   * Connects to 127.0.0.1:{@code port}, retrying while nobody listens yet (the listener is another
   * process that is starting).
   *
   * @param port the port
   * @param timeout how long to keep trying
   * @return the connected socket, with a 10 s read timeout
   */
  public static Socket connect(int port, Duration timeout) {
    AtomicReference<Socket> s = new AtomicReference<>();
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () -> {
              Socket c = new Socket();
              try {
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
              } catch (IOException e) {
                c.close();
                throw e;
              }
              c.setSoTimeout(10_000);
              s.set(c);
              return true;
            });
    return s.get();
  }

  /**
   * The pids named in lines such as {@code echo-server --inetd: pid 4711 serves ...}.
   *
   * @param lines output lines
   * @return the distinct pids, in order
   */
  public static Set<Long> pids(List<String> lines) {
    Set<Long> pids = new TreeSet<>();
    for (String l : lines) {
      Matcher m = PID.matcher(l);
      if (m.find()) {
        pids.add(Long.parseLong(m.group(1)));
      }
    }
    return pids;
  }
}
