package dev.socklab.client;

import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.SocketCalls;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * UNP's dg_send_recv (UNP 22.5, "Adding Reliability to a UDP Application"): send a request, wait
 * for its reply, send the request again when none comes. UDP itself never retransmits; every client
 * that wants an answer does this.
 *
 * <p>What it teaches: a reply is only the reply if it comes from the peer we asked (recvfrom(2)
 * tells who sent each datagram; anyone may send to our port) and answers this request, not an
 * earlier one (a reply that was only slow arrives after we gave up on it and asked again).
 *
 * <p>Where it differs from Stevens: a fixed {@code --timeout} instead of his RTT estimator
 * (rtt_start, rtt_timeout); SO_RCVTIMEO instead of alarm(2) and sigsetjmp; and no sequence-number
 * header, because an echo server returns exactly our bytes: a stale reply is recognised as an echo
 * of the previous request. Identical requests (TEXT sent with {@code --count}) cannot be told
 * apart, and need not be: any of their echoes verifies.
 */
final class UdpSendRecv {
  private final DatagramSocket socket;
  private final InetSocketAddress to;
  private final String peer;
  private final Duration timeout;
  private final int retries;
  private final SocketCalls calls;
  private final Consumer<String> report;
  private final byte[] buf = new byte[UdpClient.RECEIVE_BUFFER];
  private byte[] previous; // the last request answered: a late echo of it is stale

  /**
   * @param socket a UDP socket, connected or not
   * @param to where requests go, and the only address replies are accepted from
   * @param peer {@code to} as the user wrote it, for messages
   * @param timeout how long to wait for a reply to each transmission (at least 1 ms)
   * @param retries how many times to send a request again after a timeout (0 or more)
   * @param calls makes and traces sendto, setsockopt and recvfrom
   * @param report takes one line for each datagram ignored and each retransmission
   */
  UdpSendRecv(
      DatagramSocket socket,
      InetSocketAddress to,
      String peer,
      Duration timeout,
      int retries,
      SocketCalls calls,
      Consumer<String> report) {
    this.socket = socket;
    this.to = to;
    this.peer = peer;
    this.timeout = timeout;
    this.retries = retries;
    this.calls = calls;
    this.report = report;
  }

  /**
   * Sends {@code request} and waits up to the timeout for its reply; without one, sends it again,
   * up to {@code retries} more times (UNP's dg_send_recv).
   *
   * @param request the datagram, 0-65507 bytes
   * @param n the request's number, for messages
   * @return the reply's bytes, or empty when no reply came after {@code 1 + retries} tries
   * @throws IOException if sendto(2) fails (EACCES: a broadcast address without SO_BROADCAST) or
   *     recvfrom(2) does ({@link java.net.PortUnreachableException}: ECONNREFUSED, on a connected
   *     socket)
   */
  Optional<byte[]> sendRecv(byte[] request, int n) throws IOException {
    for (int tries = 1; ; tries++) {
      calls.sendto(socket, request, request.length, to);
      byte[] reply = awaitReply(request, System.nanoTime() + timeout.toNanos());
      if (reply != null) {
        previous = request;
        return Optional.of(reply);
      }
      if (tries > retries) {
        return Optional.empty();
      }
      report.accept(
          String.format(
              "no reply to datagram %d within %s, sending again (%d/%d)",
              n, Durations.format(timeout), tries, retries));
    }
  }

  /** Receives until the reply to {@code request} comes (its bytes) or the deadline (null). */
  private byte[] awaitReply(byte[] request, long deadline) throws IOException {
    DatagramPacket got;
    while ((got = UdpClient.receiveBy(socket, buf, deadline, calls)) != null) {
      byte[] data = Arrays.copyOf(buf, got.getLength());
      if (!to.equals(got.getSocketAddress())) {
        report.accept(
            "ignored a datagram from "
                + Endpoints.format(got.getSocketAddress())
                + " (not "
                + peer
                + ")");
      } else if (previous != null
          && Arrays.equals(data, previous)
          && !Arrays.equals(data, request)) {
        report.accept("ignored a late reply to the previous datagram (" + data.length + " bytes)");
      } else {
        return data;
      }
    }
    return null;
  }
}
