package dev.socklab.client;

import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.NetErrors;
import dev.socklab.common.SocketCalls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Opens a TCP connection the way a careful C client does with getaddrinfo(3) and connect(2). */
public final class Connector {
  private Connector() {}

  /**
   * Connects to a socklab server, or to anything that speaks its protocol.
   *
   * @param target the host and port
   * @param defaultPort the server's default port: the hint adds {@code --port} only for another
   * @param serverCommand how to start the server, e.g. {@code "./socklab echo-server"}
   * @param timeout how long each connect(2) may wait
   * @param calls where socket/connect are made and traced
   * @return the connected socket
   * @throws dev.socklab.common.UserError as {@link #connect(HostPort, Duration, SocketCalls,
   *     String)}
   */
  static Socket connect(
      HostPort target, int defaultPort, String serverCommand, Duration timeout, SocketCalls calls) {
    String start = serverCommand + (target.port() == defaultPort ? "" : " --port " + target.port());
    return connect(target, timeout, calls, start);
  }

  /**
   * Resolves {@code target} and tries each of its addresses in turn until one accepts (so {@code
   * localhost} works whether the server listens on ::1, 127.0.0.1 or both).
   *
   * @param target host and port
   * @param timeout how long each connect(2) may wait for the handshake
   * @param calls where socket/connect are made and traced
   * @param startCommand how to start the server, quoted when nobody listens
   * @return the connected socket
   * @throws dev.socklab.common.UserError with one clear line if no address accepts: unknown host,
   *     connection refused (naming {@code startCommand}), timeout
   */
  public static Socket connect(
      HostPort target, Duration timeout, SocketCalls calls, String startCommand) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(target.host()); // getaddrinfo(3)
    } catch (IOException e) {
      throw NetErrors.connectFailed(e, target, startCommand);
    }
    IOException last = null;
    for (InetAddress address : addresses) {
      try {
        return calls.connect(new InetSocketAddress(address, target.port()), timeout);
      } catch (IOException e) {
        last = e; // the next address may accept
      }
    }
    throw NetErrors.connectFailed(last, target, startCommand);
  }
}
