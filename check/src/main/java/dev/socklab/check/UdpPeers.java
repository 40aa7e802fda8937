package dev.socklab.check;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of a UDP case: one or more sockets ({@link Probe#udpSocket()}), each with a
 * reader that puts every datagram it receives, with its sender, on one queue. Replies are matched
 * by content, not by source address, so a server that answers from another port still passes every
 * case but {@code reply-source}. Requests are retransmitted as UNP's dg_send_recv does, so a single
 * datagram lost on the way is not a failure.
 */
final class UdpPeers {
  /** Larger than any UDP payload: a reply is never cut on our side. */
  private static final int RECEIVE_BUFFER = 65_536;

  /** How long to keep listening after an unexpected datagram, to report what else came. */
  private static final Duration GRACE = Duration.ofMillis(200);

  /**
   * A datagram one of our sockets received.
   *
   * @param peer which socket, 0-based
   * @param data its bytes, exactly as many as recvfrom() returned
   * @param from the address recvfrom() filled in: who sent it
   */
  record Arrival(int peer, byte[] data, InetSocketAddress from) {}

  /**
   * A datagram to send and expect back unchanged.
   *
   * @param peer from which socket, 0-based
   * @param payload the bytes
   */
  record Request(int peer, byte[] payload) {}

  /**
   * What came of {@link #exchange}: complete when {@code unanswered} and {@code unexpected} are
   * both empty.
   *
   * @param answers each answered request's reply (identity map: two requests may be equal)
   * @param unanswered requests no echo came for, after every retransmission
   * @param unexpected datagrams that are none of the echoes expected on their socket
   * @param arrived every datagram the exchange's sockets received, in order (duplicates too)
   * @param tries how many times each unanswered request was sent
   * @param waited how long the exchange waited in all
   */
  record Exchange(
      Map<Request, Arrival> answers,
      List<Request> unanswered,
      List<Arrival> unexpected,
      List<Arrival> arrived,
      int tries,
      Duration waited) {
    boolean complete() {
      return unanswered.isEmpty() && unexpected.isEmpty();
    }
  }

  private final Probe p;
  private final InetSocketAddress server;
  private final List<DatagramSocket> sockets = new ArrayList<>();
  private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
  private final Map<Integer, Integer> sends = new java.util.concurrent.ConcurrentHashMap<>();

  private UdpPeers(Probe p) {
    this.p = p;
    this.server = ((Target.Udp) p.target()).address();
  }

  /**
   * Opens {@code n} sockets and starts their readers; the probe closes the sockets (and so ends the
   * readers) when the case ends.
   *
   * @param p the case's probe
   * @param n how many client sockets
   * @return the peers
   * @throws IOException if a socket cannot be opened
   */
  static UdpPeers open(Probe p, int n) throws IOException {
    UdpPeers peers = new UdpPeers(p);
    for (int i = 0; i < n; i++) {
      DatagramSocket s = p.udpSocket();
      peers.sockets.add(s);
      int peer = i;
      Thread.ofVirtual().name("udp-peer-" + i).start(() -> peers.read(peer, s));
    }
    return peers;
  }

  // The reader: recvfrom() in a loop until the socket is closed. The socket's receive timeout
  // only wakes it up to look again.
  private void read(int peer, DatagramSocket s) {
    byte[] buf = new byte[RECEIVE_BUFFER];
    while (!s.isClosed()) {
      DatagramPacket d = new DatagramPacket(buf, buf.length);
      try {
        s.receive(d); // recvfrom(fd, buf, sizeof buf, 0, &from, &len)
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        return; // closed at the end of the case
      }
      byte[] data = Arrays.copyOf(d.getData(), d.getLength());
      p.received(who(peer), data, 0, data.length);
      arrivals.add(new Arrival(peer, data, (InetSocketAddress) d.getSocketAddress()));
    }
  }

  /**
   * @return where requests go: the server's address
   */
  InetSocketAddress server() {
    return server;
  }

  /**
   * @param peer a socket, 0-based
   * @return its local address, as getsockname() says
   */
  InetSocketAddress local(int peer) {
    return (InetSocketAddress) sockets.get(peer).getLocalSocketAddress();
  }

  /**
   * @param peer a socket, 0-based
   * @return how messages name it: {@code "client"} when there is one, else {@code "peer 3"}
   */
  String who(int peer) {
    return sockets.size() == 1 ? "client" : "peer " + (peer + 1);
  }

  /**
   * Sends one datagram to the server.
   *
   * @param peer from which socket
   * @param payload the bytes
   * @throws IOException if sendto() fails
   */
  void send(int peer, byte[] payload) throws IOException {
    sends.merge(peer, 1, Integer::sum);
    p.sent(who(peer), payload, 0, payload.length);
    // sendto(fd, payload, len, 0, &server, sizeof server)
    sockets.get(peer).send(new DatagramPacket(payload, payload.length, server));
  }

  /**
   * @param peer a socket, 0-based
   * @return how many datagrams it has sent so far
   */
  int sends(int peer) {
    return sends.getOrDefault(peer, 0);
  }

  /**
   * @param deadline a {@link System#nanoTime()} value
   * @return the next datagram received on any socket, or null if none came before the deadline
   * @throws InterruptedException if the case is stopped
   */
  Arrival next(long deadline) throws InterruptedException {
    return arrivals.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /**
   * Sends every request and waits until each has come back unchanged on its own socket,
   * retransmitting the ones still missing after 1 s and again after 3 s (of a 5 s {@link
   * Probe#waitTime()}, scaled): a lost datagram is retried, not failed. A datagram that is no
   * expected echo ends the wait soon after (once what else follows it has come), since a correct
   * echo server never sends one; a second echo of a request sent twice is not unexpected (a
   * retransmission and its original may both be answered), a third is. Datagrams on sockets that
   * sent no request here (late echoes of an earlier step) are ignored. When {@code --exec} started
   * the server and it has exited, nothing is sent again.
   *
   * @param requests what to send
   * @return what came back
   * @throws IOException if sendto() fails
   * @throws InterruptedException if the case is stopped
   */
  Exchange exchange(List<Request> requests) throws IOException, InterruptedException {
    long wait = p.waitTime().toNanos();
    long[] tries = {wait / 5, 2 * wait / 5, wait - 3 * wait / 5}; // 1 s, 2 s, 2 s: backing off
    long t0 = System.nanoTime();
    List<Request> missing = new ArrayList<>(requests);
    Map<Request, Arrival> answers = new IdentityHashMap<>();
    List<Arrival> unexpected = new ArrayList<>();
    List<Arrival> arrived = new ArrayList<>();
    Set<Integer> involved = new HashSet<>();
    requests.forEach(r -> involved.add(r.peer()));
    Map<Request, Integer> copiesSent = new IdentityHashMap<>();
    Map<Request, Integer> echoes = new IdentityHashMap<>();
    int sent = 0;
    while (sent < tries.length && !missing.isEmpty() && unexpected.isEmpty() && !serverExited()) {
      for (Request r : missing) {
        send(r.peer(), r.payload());
        copiesSent.merge(r, 1, Integer::sum);
      }
      long deadline = System.nanoTime() + tries[sent++];
      Arrival a;
      while (!missing.isEmpty() && (a = next(deadline)) != null) {
        if (!involved.contains(a.peer())) {
          continue;
        }
        arrived.add(a);
        Request r = find(missing, a);
        Request done = r != null ? null : find(answers.keySet(), a);
        if (r != null) {
          missing.remove(r);
          answers.put(r, a);
          echoes.put(r, 1);
        } else if (done == null || echoes.merge(done, 1, Integer::sum) > copiesSent.get(done)) {
          // None of ours, or an echo more often than we sent it: a server that answers twice, or
          // sends every reply to one client.
          if (unexpected.isEmpty()) {
            deadline = Math.min(deadline, System.nanoTime() + p.scaled(GRACE).toNanos());
          }
          unexpected.add(a);
        }
      }
    }
    return new Exchange(
        answers, missing, unexpected, arrived, sent, Duration.ofNanos(System.nanoTime() - t0));
  }

  // Retransmitting to a server --exec started and that has since exited would only wait longer.
  private boolean serverExited() {
    return p.launched() != null && !p.launched().isAlive();
  }

  // The request this datagram is the echo of: same socket, same bytes.
  private static Request find(Iterable<Request> among, Arrival a) {
    for (Request r : among) {
      if (r.peer() == a.peer() && Arrays.equals(r.payload(), a.data())) {
        return r;
      }
    }
    return null;
  }
}
