package dev.socklab.common;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One method per socket call, in the spirit of the wrapper functions of Stevens' UNIX Network
 * Programming ({@code Socket}, {@code Bind}, {@code Listen}, {@code Accept}, {@code Writen}...):
 * each makes the Java call that performs one system call, writes its {@code --trace} line, and on
 * failure traces the errno ({@link NetErrors}) and rethrows. Nothing else: no retries, no policy.
 * Because the call and its trace line are one statement, {@code --trace} prints exactly the calls
 * that ran, in the order they ran, and a server's loop reads as the C loop does:
 *
 * <pre>{@code
 * Socket conn = calls.accept(listener);       // connfd = Accept(listenfd, ...);
 * while ((n = calls.read(in, buf)) > 0) {     // while ((n = read(connfd, buf, MAXLINE)) > 0)
 *   calls.write(out, buf, 0, n);              //   Writen(connfd, buf, n);
 * }
 * }</pre>
 *
 * <p>Each socket kind the course uses has its overloads: blocking {@code java.net} sockets (echo
 * server, clients), non-blocking NIO channels (the select() chat server), datagram channels (UDP).
 * The failure trace line is {@code call -> -1 ERRNO (strerror text)}, as a C program would print
 * with {@code perror}. Instances are immutable and thread-safe; one per connection when lines must
 * tell connections apart ({@link #forConnection(String)}).
 */
public final class SocketCalls {
  /** {@code how} of shutdown(2). */
  public enum How {
    /** No more reads: a blocked read() returns EOF. */
    SHUT_RD,
    /** No more writes: sends FIN; the peer's read() returns 0 once it has read everything. */
    SHUT_WR
  }

  private final Trace trace;

  /**
   * @param trace where the calls are traced; {@link Trace#disabled()} for none
   */
  public SocketCalls(Trace trace) {
    this.trace = trace;
  }

  /**
   * Calls whose trace lines start with {@code label}, so one connection's calls can be told apart.
   *
   * @param label e.g. {@code "#3 127.0.0.1:53422"}
   * @return calls with the same tracer, labelled
   */
  public SocketCalls forConnection(String label) {
    return trace.on() ? new SocketCalls(trace.forConnection(label)) : this;
  }

  /**
   * @return the tracer, for lines that are not socket calls (chmod, link, unlink)
   */
  public Trace trace() {
    return trace;
  }

  // ---- socket(2) ----------------------------------------------------------------------------

  /**
   * socket(AF_INET6, SOCK_STREAM) for a listening {@code java.net} socket, not yet bound.
   *
   * @return the unbound server socket
   * @throws IOException if the socket cannot be created (EMFILE: out of file descriptors)
   */
  public ServerSocket serverSocket() throws IOException {
    return traced("socket(" + inetFamily() + ", SOCK_STREAM)", () -> new ServerSocket());
  }

  /**
   * socket(AF_INET6, SOCK_STREAM) for a listening NIO channel, not yet bound.
   *
   * @return the unbound, still blocking, channel
   * @throws IOException if the socket cannot be created
   */
  public ServerSocketChannel serverSocketChannel() throws IOException {
    return traced("socket(" + inetFamily() + ", SOCK_STREAM)", () -> ServerSocketChannel.open());
  }

  /**
   * socket(AF_INET, SOCK_DGRAM): IPv4 only, since broadcast exists only in IPv4.
   *
   * @return the unbound datagram channel
   * @throws IOException if the socket cannot be created
   */
  public DatagramChannel datagramSocket() throws IOException {
    return traced(
        "socket(AF_INET, SOCK_DGRAM)", () -> DatagramChannel.open(StandardProtocolFamily.INET));
  }

  /**
   * socket(AF_UNIX, SOCK_STREAM), not yet connected.
   *
   * @return the channel
   * @throws IOException if the socket cannot be created
   */
  public SocketChannel unixSocket() throws IOException {
    return traced(
        "socket(AF_UNIX, SOCK_STREAM)", () -> SocketChannel.open(StandardProtocolFamily.UNIX));
  }

  /**
   * socket(AF_INET6, SOCK_STREAM) (dual stack, see {@link #inetFamily()}) for a TCP client channel,
   * not yet connected: what {@code socklab sockopt tcp} inspects.
   *
   * @return the unconnected, blocking channel
   * @throws IOException if the socket cannot be created (EMFILE)
   */
  public SocketChannel tcpSocket() throws IOException {
    return traced("socket(" + inetFamily() + ", SOCK_STREAM)", () -> SocketChannel.open());
  }

  /**
   * socket(AF_INET6, SOCK_DGRAM) (dual stack, see {@link #inetFamily()}) as an NIO channel, not
   * bound: unlike {@link #datagramSocket()} it can reach IPv6 peers too.
   *
   * @return the unbound channel
   * @throws IOException if the socket cannot be created
   */
  public DatagramChannel datagramChannel() throws IOException {
    return traced("socket(" + inetFamily() + ", SOCK_DGRAM)", () -> DatagramChannel.open());
  }

  /**
   * socket(2) then connect(2) for a TCP client: {@code java.net.Socket} makes the socket inside its
   * {@code connect}, so the two are one method here.
   *
   * @param peer the server's address
   * @param timeout longest wait for the three-way handshake, 1 ms or more
   * @return the connected socket
   * @throws IOException ECONNREFUSED (nobody listens), ETIMEDOUT ({@link
   *     java.net.SocketTimeoutException}), EHOSTUNREACH...; the socket is closed
   */
  public Socket connect(InetSocketAddress peer, Duration timeout) throws IOException {
    Socket s = new Socket();
    trace.call("socket(" + inetFamily() + ", SOCK_STREAM)");
    String call = "connect(" + Endpoints.format(peer) + ")";
    try {
      s.connect(peer, (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE));
      trace.call(call);
      return s;
    } catch (IOException e) {
      closeQuietly(s);
      throw failed(call, e);
    }
  }

  /**
   * connect(2) of a blocking stream channel: an AF_UNIX socket to a path, or a TCP socket to a host
   * and port.
   *
   * @param ch a socket from {@link #unixSocket()} or {@link #tcpSocket()}
   * @param peer the server's socket file ({@link java.net.UnixDomainSocketAddress}) or address
   * @throws IOException ECONNREFUSED (nobody listens, or a socket file with no server), ENOENT,
   *     EACCES
   */
  public void connect(SocketChannel ch, SocketAddress peer) throws IOException {
    run("connect(" + Endpoints.format(peer) + ")", () -> ch.connect(peer));
  }

  /**
   * connect(2) of a UDP channel: no packet is sent; the kernel fixes the peer (see {@link
   * #connect(java.net.DatagramSocket, InetSocketAddress)}).
   *
   * @param ch a channel from {@link #datagramChannel()}
   * @param peer the only peer from now on
   * @throws IOException if the address cannot be used
   */
  public void connect(DatagramChannel ch, InetSocketAddress peer) throws IOException {
    run("connect(" + Endpoints.format(peer) + ")", () -> ch.connect(peer));
  }

  /**
   * The socket a service manager left on standard input (fd 0), as inetd, systemd ({@code
   * StandardInput=socket}), {@code systemd-socket-activate --inetd} and socat's {@code EXEC:} hand
   * one over: {@link System#inheritedChannel()}, which asks the kernel what fd 0 is (fstat(2),
   * getsockopt(SO_TYPE), getsockname(2)). Traced only when fd 0 is a stream socket: no socket(2),
   * bind(2) or listen(2) of ours comes before it.
   *
   * @return a listening {@link ServerSocketChannel}, a connected {@link SocketChannel} (TCP or
   *     AF_UNIX, in blocking mode), or null when fd 0 is no stream socket (a terminal, a pipe, a
   *     file)
   * @throws IOException if fd 0 is a socket the JDK cannot wrap
   */
  public java.nio.channels.Channel inheritedChannel() throws IOException {
    java.nio.channels.Channel ch;
    try {
      ch = System.inheritedChannel();
    } catch (IOException e) {
      throw failed("inherited fd 0", e);
    }
    if (ch instanceof ServerSocketChannel l) {
      trace.call("fd 0 inherited: listening socket " + Endpoints.format(l.getLocalAddress()));
    } else if (ch instanceof SocketChannel c) {
      trace.call(
          "fd 0 inherited: connected socket "
              + Endpoints.format(c.getLocalAddress())
              + " <- "
              + Endpoints.format(c.getRemoteAddress()));
    }
    return ch;
  }

  // ---- setsockopt(2) ------------------------------------------------------------------------

  /**
   * setsockopt(2) on a listening {@code java.net} socket.
   *
   * @param s the socket
   * @param option e.g. {@code StandardSocketOptions.SO_REUSEADDR}; its name is the C name
   * @param value the value
   * @param <T> the option's type
   * @throws IOException if the kernel refuses the option
   */
  public <T> void setsockopt(ServerSocket s, SocketOption<T> option, T value) throws IOException {
    run(setsockoptCall(option, value), () -> s.setOption(option, value));
  }

  /**
   * setsockopt(2) on a connected {@code java.net} socket.
   *
   * @param s the socket
   * @param option e.g. {@code StandardSocketOptions.TCP_NODELAY}
   * @param value the value
   * @param <T> the option's type
   * @throws IOException if the kernel refuses the option
   */
  public <T> void setsockopt(Socket s, SocketOption<T> option, T value) throws IOException {
    run(setsockoptCall(option, value), () -> s.setOption(option, value));
  }

  /**
   * setsockopt(2) on an NIO channel (stream or datagram).
   *
   * @param ch the channel
   * @param option e.g. {@code StandardSocketOptions.SO_BROADCAST}
   * @param value the value
   * @param <T> the option's type
   * @throws IOException if the kernel refuses the option
   */
  public <T> void setsockopt(NetworkChannel ch, SocketOption<T> option, T value)
      throws IOException {
    run(setsockoptCall(option, value), () -> ch.setOption(option, value));
  }

  /**
   * setsockopt(SO_RCVTIMEO): a read() that waits longer throws {@link
   * java.net.SocketTimeoutException} (C's EAGAIN after the timeout).
   *
   * @param s the socket
   * @param timeout longest wait per read, 1 ms to about 24 days; {@link Duration#ZERO} = forever
   * @throws IOException if the socket is closed
   */
  public void setReadTimeout(Socket s, Duration timeout) throws IOException {
    int ms = timeout.isZero() ? 0 : (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
    run("setsockopt(SO_RCVTIMEO, " + ms + " ms)", () -> s.setSoTimeout(ms));
  }

  private static String setsockoptCall(SocketOption<?> option, Object value) {
    return "setsockopt(" + cName(option) + ", " + shown(value) + ")";
  }

  // ---- getsockopt(2) ------------------------------------------------------------------------

  /**
   * getsockopt(2) on an NIO channel (stream, datagram or AF_UNIX). The trace line shows what the C
   * call returned, which for SO_RCVBUF and SO_SNDBUF is not what Java returns: see {@link
   * #kernelValue(SocketOption, Object)}.
   *
   * @param ch the channel
   * @param option one of {@code ch.supportedOptions()}, e.g. {@code
   *     StandardSocketOptions.SO_RCVBUF}
   * @param <T> the option's type
   * @return the value as Java reports it (SO_RCVBUF and SO_SNDBUF: half the kernel's)
   * @throws IOException if the kernel refuses (e.g. SO_PEERCRED on an unconnected socket)
   */
  public <T> T getsockopt(NetworkChannel ch, SocketOption<T> option) throws IOException {
    String call = "getsockopt(" + cName(option) + ")";
    T value;
    try {
      value = ch.getOption(option);
    } catch (IOException e) {
      throw failed(call, e);
    }
    if (trace.on()) {
      Object kernel = kernelValue(option, value);
      trace.call(
          call
              + " -> "
              + shown(kernel)
              + (kernel.equals(value) ? "" : " (Java's getOption: " + value + ")"));
    }
    return value;
  }

  /**
   * What getsockopt(2) itself returns for a value Java reported. On Linux the kernel stores twice
   * the SO_RCVBUF/SO_SNDBUF that setsockopt asks for (room for its own bookkeeping, {@code man 7
   * socket}) and getsockopt returns the doubled size; the JDK halves it again on Linux so that Java
   * reads back what it set. Every other option is returned as Java reports it.
   *
   * @param option the option
   * @param javaValue what {@code getOption} returned
   * @return the value a C program would read: SO_RCVBUF and SO_SNDBUF doubled (in bytes; an odd
   *     kernel value would show one less, as the JDK rounded it down)
   */
  public static Object kernelValue(SocketOption<?> option, Object javaValue) {
    boolean halvedByTheJdk =
        (option == java.net.StandardSocketOptions.SO_RCVBUF
                || option == java.net.StandardSocketOptions.SO_SNDBUF)
            && System.getProperty("os.name", "").startsWith("Linux");
    return halvedByTheJdk ? (Object) (2 * (Integer) javaValue) : javaValue;
  }

  /**
   * The C name of a socket option: Java's names are C's except TCP_KEEPINTERVAL (C: TCP_KEEPINTVL)
   * and TCP_KEEPCOUNT (C: TCP_KEEPCNT), {@code man 7 tcp}.
   *
   * @param option a standard or extended ({@code jdk.net.ExtendedSocketOptions}) option
   * @return e.g. {@code "SO_RCVBUF"}, {@code "TCP_KEEPINTVL"}
   */
  public static String cName(SocketOption<?> option) {
    return switch (option.name()) {
      case "TCP_KEEPINTERVAL" -> "TCP_KEEPINTVL";
      case "TCP_KEEPCOUNT" -> "TCP_KEEPCNT";
      default -> option.name();
    };
  }

  // An option's value as C passes it: a boolean is the int 0 or 1.
  private static Object shown(Object value) {
    return value instanceof Boolean b ? (b ? 1 : 0) : value;
  }

  // ---- bind(2), listen(2) -------------------------------------------------------------------

  /**
   * bind(2) then listen(2): Java does both in one {@code bind(address, backlog)}.
   *
   * @param s a socket from {@link #serverSocket()}
   * @param address where to listen; port 0 = ephemeral
   * @param backlog accept-queue length, 1 or more (the kernel caps it at net.core.somaxconn; {@code
   *     man 2 listen})
   * @throws UserError EADDRINUSE, EACCES (port below 1024), EADDRNOTAVAIL, explained in one line
   *     ({@link NetErrors#bindFailed}); the socket is closed
   */
  public void bindAndListen(ServerSocket s, InetSocketAddress address, int backlog) {
    try {
      s.bind(address, backlog);
    } catch (IOException e) {
      closeQuietly(s);
      failed("bind(" + Endpoints.format(address) + ")", e);
      throw NetErrors.bindFailed(e, address);
    }
    trace.call("bind(" + Endpoints.format(s.getLocalSocketAddress()) + ")");
    trace.call("listen(backlog=" + backlog + ")");
  }

  /**
   * bind(2) then listen(2) for an NIO channel.
   *
   * @param ch a channel from {@link #serverSocketChannel()}
   * @param address where to listen; port 0 = ephemeral
   * @param backlog accept-queue length, 1 or more ({@code man 2 listen})
   * @throws UserError as {@link #bindAndListen(ServerSocket, InetSocketAddress, int)}; the channel
   *     is closed
   */
  public void bindAndListen(ServerSocketChannel ch, InetSocketAddress address, int backlog) {
    try {
      ch.bind(address, backlog);
      trace.call("bind(" + Endpoints.format(ch.getLocalAddress()) + ")");
    } catch (IOException e) {
      closeQuietly(ch);
      failed("bind(" + Endpoints.format(address) + ")", e);
      throw NetErrors.bindFailed(e, address);
    }
    trace.call("listen(backlog=" + backlog + ")");
  }

  /**
   * bind(2) of a datagram socket: no listen(), no accept(), there is no connection.
   *
   * @param ch a channel from {@link #datagramSocket()}
   * @param address where to receive; port 0 = ephemeral
   * @throws UserError as {@link #bindAndListen(ServerSocket, InetSocketAddress, int)}; the channel
   *     is closed
   */
  public void bind(DatagramChannel ch, InetSocketAddress address) {
    try {
      ch.bind(address);
      trace.call("bind(" + Endpoints.formatIpv4((InetSocketAddress) ch.getLocalAddress()) + ")");
    } catch (IOException e) {
      closeQuietly(ch);
      failed("bind(" + Endpoints.formatIpv4(address) + ")", e);
      throw NetErrors.bindFailed(e, address);
    }
  }

  // ---- accept(2) ----------------------------------------------------------------------------

  /**
   * accept(2): blocks until the kernel hands over a connection that completed its handshake.
   *
   * @param listener a listening socket
   * @return the connection
   * @throws IOException EMFILE (out of file descriptors), or {@link java.net.SocketException} when
   *     another thread closed the listener
   */
  public Socket accept(ServerSocket listener) throws IOException {
    try {
      Socket s = listener.accept();
      trace.accept(s.getRemoteSocketAddress());
      return s;
    } catch (IOException e) {
      throw failed("accept()", e);
    }
  }

  /**
   * accept(2) on a non-blocking listening channel.
   *
   * @param listener a listening channel in non-blocking mode
   * @return the connection, or null when none is pending (C: -1 with EAGAIN; not traced)
   * @throws IOException EMFILE and the like
   */
  public SocketChannel accept(ServerSocketChannel listener) throws IOException {
    try {
      SocketChannel ch = listener.accept();
      if (ch != null) {
        trace.accept(ch.getRemoteAddress());
      }
      return ch;
    } catch (IOException e) {
      throw failed("accept()", e);
    }
  }

  // ---- fcntl(2), select(2) ------------------------------------------------------------------

  /**
   * fcntl(fd, F_SETFL, O_NONBLOCK): reads, writes and accepts return at once instead of waiting.
   *
   * @param ch the channel
   * @throws IOException if the channel is closed
   */
  public void setNonBlocking(SelectableChannel ch) throws IOException {
    run("fcntl(F_SETFL, O_NONBLOCK)", () -> ch.configureBlocking(false));
  }

  /**
   * select(2): blocks until a registered socket is ready or the timeout passes (on Linux the JDK's
   * Selector is epoll_wait(2) underneath). Traced only when something is ready.
   *
   * @param selector the selector
   * @param timeoutMs longest wait in ms, 0 = until something is ready
   * @return how many keys became ready
   * @throws IOException if the selector fails
   */
  public int select(Selector selector, long timeoutMs) throws IOException {
    try {
      int n = selector.select(timeoutMs);
      if (n > 0) {
        trace.call("select() -> " + n + " ready");
      }
      return n;
    } catch (IOException e) {
      throw failed("select()", e);
    }
  }

  // ---- read(2), write(2), writev(2) ---------------------------------------------------------

  /**
   * read(2) on a blocking stream: waits for at least one byte.
   *
   * @param in the socket's input stream
   * @param buf where the bytes go, from index 0
   * @return bytes read, 1 or more, or -1 at EOF (C's 0: the peer shut down its write side)
   * @throws IOException ECONNRESET, ETIMEDOUT ({@link java.net.SocketTimeoutException} after
   *     SO_RCVTIMEO)
   */
  public int read(InputStream in, byte[] buf) throws IOException {
    return read(in, buf, 0, buf.length);
  }

  /**
   * read(2) into part of a buffer: waits for at least one byte.
   *
   * @param in the socket's input stream
   * @param buf where the bytes go
   * @param off index of the first byte to fill
   * @param len most bytes to read, 1 or more
   * @return bytes read, 1 to {@code len}, or -1 at EOF
   * @throws IOException ECONNRESET, ETIMEDOUT after SO_RCVTIMEO
   */
  public int read(InputStream in, byte[] buf, int off, int len) throws IOException {
    try {
      int n = in.read(buf, off, len);
      trace.read(n, buf, off);
      return n;
    } catch (IOException e) {
      throw failed("read()", e);
    }
  }

  /**
   * read(2) on a non-blocking channel: takes what is there, never waits.
   *
   * @param ch the channel
   * @param buf where the bytes go, from its position
   * @return bytes read, 0 if none were waiting (C: EAGAIN), -1 at EOF
   * @throws IOException ECONNRESET
   */
  public int read(SocketChannel ch, ByteBuffer buf) throws IOException {
    int start = buf.position();
    try {
      int n = ch.read(buf);
      if (trace.on() && n != 0) {
        trace.read(n, head(buf, start, Math.max(n, 0)), 0);
      }
      return n;
    } catch (IOException e) {
      throw failed("read()", e);
    }
  }

  /**
   * write(2) until all {@code n} bytes are taken (UNP's {@code writen}): {@code OutputStream.write}
   * loops over partial writes itself.
   *
   * @param out the socket's output stream
   * @param buf the bytes
   * @param off offset of the first byte
   * @param n number of bytes, 0 or more
   * @throws IOException EPIPE or ECONNRESET once the peer is gone
   */
  public void write(OutputStream out, byte[] buf, int off, int n) throws IOException {
    try {
      out.write(buf, off, n);
      trace.write(buf, off, n);
    } catch (IOException e) {
      throw failed("write(" + n + ")", e);
    }
  }

  /**
   * writev(2) on a non-blocking channel: takes what fits in the socket's send buffer, maybe 0.
   *
   * @param ch the channel
   * @param bufs the buffers, written in order from their positions
   * @return bytes written, 0 or more
   * @throws IOException EPIPE or ECONNRESET once the peer is gone
   */
  public long writev(SocketChannel ch, ByteBuffer[] bufs) throws IOException {
    try {
      long n = ch.write(bufs);
      if (trace.on()) { // a loop's hot path: no strings unless traced
        trace.call("writev(" + iovecs(bufs.length) + ") -> " + n + " bytes");
      }
      return n;
    } catch (IOException e) {
      throw failed("writev(" + iovecs(bufs.length) + ")", e);
    }
  }

  // writev(2)'s buffers are struct iovec: "1 iovec", "3 iovecs".
  private static String iovecs(int n) {
    return n == 1 ? "1 iovec" : n + " iovecs";
  }

  // ---- recvfrom(2), sendto(2) ---------------------------------------------------------------

  /**
   * recvfrom(2): one whole datagram and who sent it. A datagram larger than {@code buf}'s space is
   * cut off (C: MSG_TRUNC); size the buffer for 65,507 bytes.
   *
   * @param ch a bound datagram channel in blocking mode
   * @param buf where the datagram goes, from its position
   * @return the sender's address
   * @throws IOException {@link java.nio.channels.ClosedChannelException} when another thread closed
   *     the channel
   */
  public SocketAddress recvfrom(DatagramChannel ch, ByteBuffer buf) throws IOException {
    int start = buf.position();
    try {
      SocketAddress from = ch.receive(buf);
      if (trace.on()) {
        int n = buf.position() - start;
        byte[] head = head(buf, start, n);
        trace.call(
            "recvfrom() -> "
                + n
                + " bytes from "
                + Endpoints.format(from)
                + (n == 0 ? "" : "  " + Trace.dump(head, 0, n)));
      }
      return from;
    } catch (java.nio.channels.ClosedChannelException e) {
      throw e; // our own close(): not a failure of the call
    } catch (IOException e) {
      throw failed("recvfrom()", e);
    }
  }

  /**
   * sendto(2): one datagram, all or nothing.
   *
   * @param ch a datagram channel
   * @param datagram the payload, from its position to its limit, 0 to 65,507 bytes
   * @param to the receiver
   * @throws IOException EACCES (a broadcast address without SO_BROADCAST), EMSGSIZE
   */
  public void sendto(DatagramChannel ch, ByteBuffer datagram, SocketAddress to) throws IOException {
    int n = datagram.remaining();
    try {
      ch.send(datagram, to);
    } catch (IOException e) {
      throw failed(sendtoCall(to, n), e);
    }
    if (trace.on()) { // the datagram loop's hot path: no strings unless traced
      trace.call(sendtoCall(to, n));
    }
  }

  private static String sendtoCall(SocketAddress to, int n) {
    return "sendto(" + Endpoints.format(to) + ", " + n + " bytes)";
  }

  // The UDP clients use java.net.DatagramSocket: it has SO_RCVTIMEO, which channels lack.

  /**
   * socket(AF_INET6, SOCK_DGRAM) (dual stack, see {@link #inetFamily()}), not bound: like C, the
   * first sendto(2) binds it to an ephemeral port, or {@link #bind(java.net.DatagramSocket,
   * InetSocketAddress)} names one.
   *
   * @return the unbound socket
   * @throws IOException if the socket cannot be created
   */
  public java.net.DatagramSocket udpSocket() throws IOException {
    return traced(
        "socket(" + inetFamily() + ", SOCK_DGRAM)", () -> new java.net.DatagramSocket(null));
  }

  /**
   * setsockopt(2) on a datagram socket.
   *
   * @param s the socket
   * @param option e.g. {@code StandardSocketOptions.SO_BROADCAST}
   * @param value the value
   * @param <T> the option's type
   * @throws IOException if the kernel refuses the option
   */
  public <T> void setsockopt(java.net.DatagramSocket s, SocketOption<T> option, T value)
      throws IOException {
    run(setsockoptCall(option, value), () -> s.setOption(option, value));
  }

  /**
   * setsockopt(SO_RCVTIMEO) on a datagram socket: a recvfrom() that waits longer throws {@link
   * java.net.SocketTimeoutException} (C's EAGAIN).
   *
   * @param s the socket
   * @param timeout longest wait per receive, 1 ms to about 24 days; {@link Duration#ZERO} = forever
   * @throws IOException if the socket is closed
   */
  public void setReadTimeout(java.net.DatagramSocket s, Duration timeout) throws IOException {
    int ms = timeout.isZero() ? 0 : (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
    run("setsockopt(SO_RCVTIMEO, " + ms + " ms)", () -> s.setSoTimeout(ms));
  }

  /**
   * bind(2) of a datagram socket.
   *
   * @param s a socket from {@link #udpSocket()}
   * @param address where to receive; the wildcard receives broadcasts too
   * @throws UserError EADDRINUSE, EACCES (port below 1024)..., explained in one line; the socket is
   *     closed
   */
  public void bind(java.net.DatagramSocket s, InetSocketAddress address) {
    try {
      s.bind(address);
    } catch (IOException e) {
      closeQuietly(s);
      failed("bind(" + Endpoints.format(address) + ")", e);
      throw NetErrors.bindFailed(e, address);
    }
    trace.call("bind(" + Endpoints.format(s.getLocalSocketAddress()) + ")");
  }

  /**
   * connect(2) of a UDP socket: no packet is sent; the kernel fixes the peer, drops datagrams from
   * anyone else, and reports an ICMP port unreachable as ECONNREFUSED on the next receive.
   *
   * @param s the socket
   * @param peer the only peer from now on
   * @throws IOException if the address cannot be used
   */
  public void connect(java.net.DatagramSocket s, InetSocketAddress peer) throws IOException {
    run("connect(" + Endpoints.format(peer) + ")", () -> s.connect(peer));
  }

  /**
   * sendto(2) on a datagram socket: one datagram, all or nothing.
   *
   * @param s the socket
   * @param buf the payload, from index 0
   * @param n its length, 0 to 65,507 bytes
   * @param to the receiver
   * @throws IOException EACCES (a broadcast address without SO_BROADCAST), EMSGSIZE
   */
  public void sendto(java.net.DatagramSocket s, byte[] buf, int n, SocketAddress to)
      throws IOException {
    try {
      s.send(new java.net.DatagramPacket(buf, n, to));
    } catch (IOException e) {
      throw failed(sendtoCall(to, n), e);
    }
    if (trace.on()) { // a client's --count loop: no strings unless traced
      trace.call(sendtoCall(to, n));
    }
  }

  /**
   * recvfrom(2) on a datagram socket: one whole datagram and who sent it. A datagram longer than
   * the packet's buffer is cut off.
   *
   * @param s the socket
   * @param into the packet to fill; its length is set to the datagram's
   * @return the sender's address
   * @throws IOException {@link java.net.SocketTimeoutException} after SO_RCVTIMEO (EAGAIN), {@link
   *     java.net.PortUnreachableException} on a connected socket (ECONNREFUSED)
   */
  public SocketAddress recvfrom(java.net.DatagramSocket s, java.net.DatagramPacket into)
      throws IOException {
    try {
      s.receive(into);
    } catch (IOException e) {
      throw failed("recvfrom()", e);
    }
    int n = into.getLength();
    SocketAddress from = into.getSocketAddress();
    if (trace.on()) {
      trace.call(
          "recvfrom() -> "
              + n
              + " bytes from "
              + Endpoints.format(from)
              + (n == 0 ? "" : "  " + Trace.dump(into.getData(), into.getOffset(), n)));
    }
    return from;
  }

  // ---- shutdown(2), close(2) ----------------------------------------------------------------

  /**
   * shutdown(2) of a {@code java.net} socket.
   *
   * @param s the socket
   * @param how {@link How#SHUT_WR} sends FIN; {@link How#SHUT_RD} ends a blocked read with EOF
   * @throws IOException if the socket is already closed
   */
  public void shutdown(Socket s, How how) throws IOException {
    run(
        "shutdown(" + how + ")",
        () -> {
          if (how == How.SHUT_WR) {
            s.shutdownOutput();
          } else {
            s.shutdownInput();
          }
        });
  }

  /**
   * shutdown(2) of an NIO stream channel.
   *
   * @param ch the channel
   * @param how which direction
   * @throws IOException if the channel is closed
   */
  public void shutdown(SocketChannel ch, How how) throws IOException {
    run(
        "shutdown(" + how + ")",
        () -> {
          if (how == How.SHUT_WR) {
            ch.shutdownOutput();
          } else {
            ch.shutdownInput();
          }
        });
  }

  /**
   * close(2), ignoring errors: they report earlier writes, and the descriptor is released either
   * way. Closing what is already closed does nothing and traces nothing.
   *
   * @param socket a socket, channel or selector
   */
  public void close(Closeable socket) {
    if (isClosed(socket)) {
      return;
    }
    trace.close(); // first: a thread blocked on this socket fails as soon as it is closed
    closeQuietly(socket);
  }

  /**
   * close(2) of a listening socket: new connections are refused from now on, and a thread blocked
   * in accept() returns with an exception.
   *
   * @param listener the listening socket or channel
   */
  public void closeListener(Closeable listener) {
    if (isClosed(listener)) {
      return;
    }
    trace.call("close() listening socket"); // first: the blocked accept() fails at once
    closeQuietly(listener);
  }

  private static boolean isClosed(Closeable c) {
    return c instanceof Socket s
        ? s.isClosed()
        : c instanceof ServerSocket ss
            ? ss.isClosed()
            : c instanceof java.net.DatagramSocket ds
                ? ds.isClosed()
                : c instanceof java.nio.channels.Channel ch ? !ch.isOpen() : false;
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // close() reports what earlier writes could not deliver; the descriptor is gone either way
    }
  }

  /** A Java call that makes one system call and returns its result. */
  @FunctionalInterface
  private interface Call<T> {
    T make() throws IOException;
  }

  /** A Java call that makes one system call. */
  @FunctionalInterface
  private interface Run {
    void make() throws IOException;
  }

  // The shape of every wrapper: make the call, then trace it; on failure trace the errno, rethrow.
  private <T> T traced(String call, Call<T> c) throws IOException {
    T result;
    try {
      result = c.make();
    } catch (IOException e) {
      throw failed(call, e);
    }
    trace.call(call);
    return result;
  }

  private void run(String call, Run r) throws IOException {
    traced(
        call,
        () -> {
          r.make();
          return null;
        });
  }

  // Traces "call -> -1 ERRNO (message)" and returns the exception to rethrow.
  private <E extends IOException> E failed(String call, E e) {
    trace.failed(call, e);
    return e;
  }

  // The first bytes of what a read put into buf from start, for the trace's hex dump.
  private static byte[] head(ByteBuffer buf, int start, int n) {
    byte[] head = new byte[Math.min(n, Trace.DUMP_BYTES)];
    buf.duplicate().position(start).get(head);
    return head;
  }

  /**
   * The address family of the TCP sockets the JDK opens: AF_INET6 (dual stack: IPv4 peers appear as
   * v4-mapped addresses) on a host with IPv6, unless {@code -Djava.net.preferIPv4Stack=true};
   * AF_INET otherwise. A kernel without IPv6 has no {@code /proc/net/if_inet6}.
   *
   * @return {@code "AF_INET6"} or {@code "AF_INET"}
   */
  public static String inetFamily() {
    return INET_FAMILY;
  }

  private static final String INET_FAMILY =
      Boolean.getBoolean("java.net.preferIPv4Stack")
              || !java.nio.file.Files.exists(java.nio.file.Path.of("/proc/net/if_inet6"))
          ? "AF_INET"
          : "AF_INET6";
}
