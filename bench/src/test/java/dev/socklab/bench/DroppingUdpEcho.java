package dev.socklab.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A UDP echo server (RFC 862 over UDP, Stevens' dg_echo) that drops every {@code n}th datagram it
 * receives: no reply to it, ever.
 */
final class DroppingUdpEcho implements AutoCloseable {
  private final DatagramSocket socket;
  private final int n;

  /**
   * @param n drop every n-th datagram, 2 or more
   * @throws IOException if it cannot bind
   */
  DroppingUdpEcho(int n) throws IOException {
    this.n = n;
    // socket(AF_INET, SOCK_DGRAM) + bind(127.0.0.1:0)
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    socket.setReceiveBufferSize(1 << 20);
    Thread.ofPlatform().daemon().name("DroppingUdpEcho").start(this::loop);
  }

  /**
   * @return {@code 127.0.0.1:PORT}, as bench takes it
   */
  String target() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  private void loop() {
    byte[] buf = new byte[65536];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    for (long count = 1; !socket.isClosed(); count++) {
      try {
        p.setLength(buf.length);
        socket.receive(p); // recvfrom(2)
        if (count % n != 0) {
          socket.send(p); // sendto(2) back to where it came from
        }
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
