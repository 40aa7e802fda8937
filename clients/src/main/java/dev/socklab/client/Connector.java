package dev.socklab.client;

import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.NetErrors;
import dev.socklab.common.Trace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Opens a TCP connection the way a careful C client does with getaddrinfo(3) and connect(2). */
final class Connector {
  private Connector() {}

  /**
   * Connects to a socklab server, or to anything that speaks its protocol.
   *
   * @param target the host and port
   * @param defaultPort the server's default port: the hint adds {@code --port} only for another
   * @param serverCommand how to start the server, e.g. {@code "./socklab echo-server"}
   * @param timeout how long each connect(2) may wait
   * @param trace where to trace socket/connect
   * @return the connected socket
   * @throws dev.socklab.common.UserError as {@link #connect(HostPort, Duration, Trace, String)}
   */
  static Socket connect(
      HostPort target, int defaultPort, String serverCommand, Duration timeout, Trace trace) {
    String start = serverCommand + (target.port() == defaultPort ? "" : " --port " + target.port());
    return connect(target, timeout, trace, start);
  }

  /**
   * Resolves {@code target} and tries each of its addresses in turn until one accepts (so {@code
   * localhost} works whether the server listens on ::1, 127.0.0.1 or both).
   *
   * @param target host and port
   * @param timeout how long each connect(2) may wait for the handshake
   * @param trace where to trace socket/connect
   * @param startCommand how to start the server, quoted when nobody listens
   * @return the connected socket
   * @throws dev.socklab.common.UserError with one clear line if no address accepts: unknown host,
   *     connection refused (naming {@code startCommand}), timeout
   */
  static Socket connect(HostPort target, Duration timeout, Trace trace, String startCommand) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(target.host()); // getaddrinfo(3)
    } catch (IOException e) {
      throw NetErrors.connectFailed(e, target, startCommand);
    }
    IOException last = null;
    for (InetAddress address : addresses) {
      InetSocketAddress peer = new InetSocketAddress(address, target.port());
      Socket socket = new Socket(); // socket(2)
      trace.socket(Trace.family(address), "SOCK_STREAM");
      try {
        socket.connect(peer, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())); // connect(2)
        trace.connect(peer);
        return socket;
      } catch (IOException e) {
        last = e;
        closeQuietly(socket);
      }
    }
    throw NetErrors.connectFailed(last, target, startCommand);
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to do with a socket we are discarding
    }
  }
}
