package dev.socklab.echo;

import dev.socklab.common.Endpoints;
import dev.socklab.common.HeadStart;
import dev.socklab.common.LogSetup;
import dev.socklab.common.NetErrors;
import dev.socklab.common.ServerRun;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread-per-client TCP echo server (RFC 862) on blocking {@code java.net} sockets.
 *
 * <p>This is the first server of the course, line for line: socket, setsockopt(SO_REUSEADDR), bind,
 * listen, then a loop of accept() that hands each connection to its own thread, which loops read()
 * / write() until read() returns 0 (EOF), then shutdown(SHUT_WR) and close(). Every byte comes back
 * in order; there is no framing, so binary data is fine.
 *
 * <p>Threads: see {@link ThreadModel}. Half-close: when the client shuts down its write side, the
 * server has already written back everything it read (each read is written before the next), so it
 * sends its own FIN and closes. Graceful shutdown ({@link #stop(Duration)}): close the listening
 * socket, shutdown(SHUT_RD) every connection so its blocked read() returns EOF, let each finish the
 * write it is in within the grace period, then close what is left.
 *
 * <p>Thread-safe: {@link #stop(Duration)} may be called from any thread, more than once.
 */
public final class EchoServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EchoServer.class);
  private static final int INITIAL_BUFFER = 512; // bytes; grows x4 up to bufferSize

  /**
   * How the server listens and serves.
   *
   * @param bindAddress address and port to bind; port 0 = ephemeral
   * @param backlog accept-queue length for listen(2), 1-65535; the kernel caps it at
   *     net.core.somaxconn (4096 on current kernels)
   * @param threads which threads serve clients
   * @param maxClients most clients connected at once, 1 or more; one more is closed at once
   * @param idleTimeout close a client that sends nothing for this long; {@link Duration#ZERO} =
   *     never
   * @param tcpNoDelay TCP_NODELAY: send each echo at once instead of letting Nagle's algorithm hold
   *     small segments back (RFC 896)
   * @param reuseAddress SO_REUSEADDR on the listening socket: bind(2) succeeds while connections of
   *     an earlier run linger in TIME_WAIT; false sets it to 0 (the JDK turns it on by default)
   * @param bufferSize most bytes read per read() call, 1 to 1 MiB (each client starts with 512 and
   *     grows while its reads fill the buffer)
   * @param trace where socket calls are traced ({@code --trace})
   */
  public record Config(
      InetSocketAddress bindAddress,
      int backlog,
      ThreadModel threads,
      int maxClients,
      Duration idleTimeout,
      boolean tcpNoDelay,
      boolean reuseAddress,
      int bufferSize,
      Trace trace) {

    /** Default listen(2) backlog: well above Java's 50, so a burst of connects is not dropped. */
    public static final int DEFAULT_BACKLOG = 1024;

    /** Default most clients at once. */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;

    /** Default bytes per read(). */
    public static final int DEFAULT_BUFFER_SIZE = 16 * 1024;

    /**
     * @throws IllegalArgumentException if a value is out of its range
     */
    public Config {
      if (backlog < 1 || backlog > 65535) {
        throw new IllegalArgumentException("backlog must be 1-65535, not " + backlog);
      }
      if (maxClients < 1) {
        throw new IllegalArgumentException("max clients must be 1 or more, not " + maxClients);
      }
      if (idleTimeout.isNegative() || idleTimeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("idle timeout out of range: " + idleTimeout);
      }
      if (bufferSize < 1 || bufferSize > 1 << 20) {
        throw new IllegalArgumentException(
            "buffer size must be 1-1048576 bytes, not " + bufferSize);
      }
    }

    /**
     * Defaults for everything but the address: virtual threads, backlog {@value #DEFAULT_BACKLOG},
     * TCP_NODELAY and SO_REUSEADDR on, no idle timeout, no trace.
     *
     * @param bindAddress where to listen
     * @return the default configuration
     */
    public static Config defaults(InetSocketAddress bindAddress) {
      return new Config(
          bindAddress,
          DEFAULT_BACKLOG,
          ThreadModel.VIRTUAL,
          DEFAULT_MAX_CLIENTS,
          Duration.ZERO,
          true,
          true,
          DEFAULT_BUFFER_SIZE,
          Trace.disabled());
    }

    /**
     * @param model who serves each client
     * @return this configuration with another thread model
     */
    public Config withThreads(ThreadModel model) {
      return new Config(
          bindAddress,
          backlog,
          model,
          maxClients,
          idleTimeout,
          tcpNoDelay,
          reuseAddress,
          bufferSize,
          trace);
    }

    /**
     * @param max most clients at once, 1 or more
     * @return this configuration with another client limit
     */
    public Config withMaxClients(int max) {
      return new Config(
          bindAddress,
          backlog,
          threads,
          max,
          idleTimeout,
          tcpNoDelay,
          reuseAddress,
          bufferSize,
          trace);
    }

    /**
     * @param t where socket calls are traced
     * @return this configuration with another tracer
     */
    public Config withTrace(Trace t) {
      return new Config(
          bindAddress,
          backlog,
          threads,
          maxClients,
          idleTimeout,
          tcpNoDelay,
          reuseAddress,
          bufferSize,
          t);
    }

    /**
     * @param on SO_REUSEADDR on the listening socket
     * @return this configuration with SO_REUSEADDR on or off
     */
    public Config withReuseAddress(boolean on) {
      return new Config(
          bindAddress,
          backlog,
          threads,
          maxClients,
          idleTimeout,
          tcpNoDelay,
          on,
          bufferSize,
          trace);
    }

    /**
     * @param idle how long a silent client is kept; {@link Duration#ZERO} = forever
     * @return this configuration with another idle timeout
     */
    public Config withIdleTimeout(Duration idle) {
      return new Config(
          bindAddress,
          backlog,
          threads,
          maxClients,
          idle,
          tcpNoDelay,
          reuseAddress,
          bufferSize,
          trace);
    }
  }

  /**
   * What the server did, for the summary line.
   *
   * @param clients clients accepted and served (refused ones not counted)
   * @param refused clients closed at once because {@code maxClients} were connected
   * @param bytesEchoed bytes read and written back, all clients together
   */
  public record Stats(long clients, long refused, long bytesEchoed) {}

  // socket: an accepted (or inherited TCP) java.net Socket, or an inherited AF_UNIX SocketChannel,
  // which has no java.net adaptor.
  private record Client(long id, Closeable socket, String name, SocketCalls calls) {}

  private final Config config;
  private final SocketCalls calls;
  private final ServerSocket listener;
  private final ExecutorService workers;
  private final Thread acceptor;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final AtomicInteger busyThreads = new AtomicInteger();
  private final AtomicLong nextId = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong(); // served, not refused
  private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final AtomicLong refused = new AtomicLong();
  private final LongAdder bytesEchoed = new LongAdder(); // added to by every client thread
  private volatile boolean stopping;
  private Stats finalStats;

  private EchoServer(Config config, SocketCalls calls, ServerSocket listener) {
    this.config = config;
    this.calls = calls;
    this.listener = listener;
    this.workers = config.threads().newExecutor();
    this.acceptor = Thread.ofPlatform().name("acceptor").unstarted(this::acceptLoop);
  }

  /**
   * Binds, listens and starts accepting on a background thread.
   *
   * @param config how to listen and serve
   * @return the running server; {@link #localAddress()} tells the port bound
   * @throws dev.socklab.common.UserError if the address cannot be bound (port in use, privileged
   *     port, address not on this host), with one line that says what to do
   * @throws IOException if the socket cannot be created
   */
  public static EchoServer start(Config config) throws IOException {
    SocketCalls calls = new SocketCalls(config.trace());
    ServerSocket listener = calls.serverSocket(); // socket(2): unbound until bind()
    // setsockopt(SO_REUSEADDR): a restarted server can bind at once even while connections of its
    // previous run linger in TIME_WAIT. Set either way: the JDK's default is on, not C's 0.
    try {
      calls.setsockopt(listener, StandardSocketOptions.SO_REUSEADDR, config.reuseAddress());
    } catch (IOException e) {
      calls.close(listener);
      throw e;
    }
    // bind(2) then listen(2): backlog bounds the queue of connections the kernel has completed
    // (three-way handshake done) but we have not yet accept()ed.
    calls.bindAndListen(listener, config.bindAddress(), config.backlog());
    EchoServer server = new EchoServer(config, calls, listener);
    server.acceptor.start();
    server.warmUp();
    return server;
  }

  /**
   * Serves a listening socket the service manager made (systemd {@code Accept=no} with {@code
   * StandardInput=socket}; {@code man 5 systemd.socket}): no socket(2), setsockopt(2), bind(2) or
   * listen(2) here, so {@code bindAddress}, {@code backlog} and {@code reuseAddress} are unused.
   *
   * @param config how to serve
   * @param inherited the listening channel on standard input, in blocking mode
   * @return the running server
   */
  public static EchoServer adopt(Config config, ServerSocketChannel inherited) {
    // The blocking channel's ServerSocket adaptor: accept() then returns java.net Sockets as here.
    EchoServer server = new EchoServer(config, new SocketCalls(config.trace()), inherited.socket());
    server.acceptor.start();
    server.warmUp();
    return server;
  }

  /**
   * {@code --inetd}: serves the one connection the service manager accepted (inetd, systemd {@code
   * Accept=yes}, socat {@code EXEC:}): the multiprocess server of the course, where the manager
   * does the accept(2), fork(2) and waitpid(2). {@link #finished()} completes when it ends.
   *
   * @param config how to serve; the listening parameters are unused
   * @param conn the connected channel on standard input (TCP, or AF_UNIX from a socketpair)
   * @return the server, already serving
   * @throws IOException if the connection's addresses cannot be read
   */
  public static EchoServer serveConnection(Config config, SocketChannel conn) throws IOException {
    EchoServer server = new EchoServer(config, new SocketCalls(config.trace()), null);
    SocketAddress peer = conn.getRemoteAddress();
    boolean tcp = peer instanceof InetSocketAddress;
    String name = "#1 " + (tcp ? Endpoints.format(peer) : "AF_UNIX peer");
    Client client =
        new Client(1, tcp ? conn.socket() : conn, name, server.calls.forConnection(name));
    server.admit(client);
    server.workers.execute(
        () -> {
          server.serve(client);
          server.finished.complete(null);
        });
    return server;
  }

  /**
   * @return the address actually bound (with the real port when 0 was asked for); with {@code
   *     --inetd}, null
   */
  public InetSocketAddress localAddress() {
    return listener == null ? null : (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /**
   * Completes when the one connection of {@link #serveConnection} has ended.
   *
   * @return a future that never completes for a listening server
   */
  public CompletableFuture<Void> finished() {
    return finished;
  }

  /**
   * @return clients connected right now (being served or, with a pool, waiting for a thread)
   */
  public int connectedClients() {
    return clients.size();
  }

  /**
   * Completes, with the cause, if the accept loop dies on its own (its listening socket closed
   * without {@link #stop(Duration)}); the process then exits 1.
   *
   * @return a future that never completes while the server is healthy
   */
  public CompletableFuture<Throwable> failure() {
    return failure;
  }

  /**
   * @return counters so far
   */
  public Stats stats() {
    return new Stats(accepted.get(), refused.get(), bytesEchoed.sum());
  }

  // What the first client would otherwise wait for, done once we listen on a daemon thread of its
  // own: the virtual-thread scheduler, its carrier thread and the poller a virtual thread parks on
  // in read(), a connection record's first hashCode (which links the record's ObjectMethods
  // bootstrap), the address and log line formatting. Nothing is printed, counted or named like a
  // client. The classes it loads also go into the launcher's class-data archive when the run that
  // writes it served nobody (./socklab: the first run's exit).
  private void warmUp() {
    HeadStart.start(
        "warm-up",
        () -> {
          InetSocketAddress peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
          new Client(0, null, "#0 " + Endpoints.format(peer), calls).hashCode();
          LogSetup.warmUp();
          if (config.threads().kind() == ThreadModel.Kind.VIRTUAL) {
            parkOnce();
          }
        });
  }

  // A virtual thread blocked in read() on a pipe until the warm-up thread writes to it.
  private static void parkOnce() throws IOException, InterruptedException {
    Pipe pipe = Pipe.open();
    try (Pipe.SourceChannel in = pipe.source();
        Pipe.SinkChannel out = pipe.sink()) {
      Thread reader =
          Thread.ofVirtual()
              .name("warm-up-reader")
              .start(
                  () -> {
                    try {
                      in.read(ByteBuffer.allocate(1));
                    } catch (IOException e) {
                      // closed below
                    }
                  });
      for (int i = 0; i < 100 && reader.getState() != Thread.State.WAITING; i++) {
        Thread.sleep(1);
      }
      out.write(ByteBuffer.wrap(new byte[1]));
      reader.join(1000);
    }
  }

  // The accept loop: one platform thread, blocked in accept(2) until the kernel hands over a
  // connection that completed its handshake.
  private void acceptLoop() {
    while (!stopping) {
      Socket socket;
      try {
        socket = calls.accept(listener); // accept(2)
      } catch (IOException e) {
        if (acceptFailed(e)) {
          continue;
        }
        break;
      }
      long id = nextId.incrementAndGet();
      String name = "#" + id + " " + Endpoints.format(socket.getRemoteSocketAddress());
      Client client = new Client(id, socket, name, calls.forConnection(name));
      if (admit(client)) {
        try {
          workers.execute(() -> serve(client)); // pthread_create(), or a pool thread
        } catch (RejectedExecutionException e) {
          clients.remove(client); // only while stopping: the executor no longer takes work
          closeQuietly(client);
        }
      }
    }
  }

  // Whether the accept loop may go on after accept() failed.
  private boolean acceptFailed(IOException e) {
    if (stopping) {
      return false; // stop() closed the listening socket: accept() fails, that is our cue
    }
    if (listener.isClosed()) {
      // Nobody asked us to stop, yet nothing listens any more: the server is dead.
      failure.complete(new IOException("accept() failed: " + e.getMessage(), e));
      return false;
    }
    // EMFILE/ENFILE (out of file descriptors) and the like: say so, pause, carry on.
    log.warn("accept() failed: {} (retrying in 100 ms)", e.getMessage());
    pause(100);
    return true;
  }

  // Counts a new connection in, or closes it at once when --max-clients are connected.
  private boolean admit(Client client) {
    if (clients.size() >= config.maxClients()) {
      refused.incrementAndGet();
      log.warn(
          "{} refused: --max-clients {} already connected", client.name(), config.maxClients());
      closeQuietly(client);
      return false;
    }
    clients.add(client);
    accepted.incrementAndGet();
    if (config.threads().kind() == ThreadModel.Kind.POOL
        && busyThreads.get() >= config.threads().poolSize()) {
      log.info(
          "{} connected; waits for a free thread (all {} pool threads busy)",
          client.name(),
          config.threads().poolSize());
    } else {
      log.info("{} connected ({} connected)", client.name(), clients.size());
    }
    return true;
  }

  // One client, on its own thread: read(2) what the client sends, write(2) it back, until EOF.
  private void serve(Client client) {
    busyThreads.incrementAndGet();
    SocketCalls calls = client.calls();
    long echoed = 0;
    String outcome;
    try {
      InputStream in;
      OutputStream out;
      if (client.socket() instanceof Socket socket) {
        calls.setsockopt(socket, StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
        if (!config.idleTimeout().isZero()) {
          // A read() that waits longer throws SocketTimeoutException: the idle client is closed.
          calls.setReadTimeout(socket, config.idleTimeout());
        }
        in = socket.getInputStream();
        out = socket.getOutputStream();
      } else {
        // AF_UNIX on stdin: no TCP_NODELAY, and a blocking channel has no SO_RCVTIMEO in Java.
        SocketChannel ch = (SocketChannel) client.socket();
        in = Channels.newInputStream(ch);
        out = Channels.newOutputStream(ch);
      }
      // Start small and grow while reads fill the buffer: 10,000 idle clients then cost 10,000
      // small buffers, not 10,000 full-size ones (the idea of Netty's adaptive allocator).
      byte[] buf = new byte[Math.min(INITIAL_BUFFER, config.bufferSize())];
      int n;
      // read(2) blocks this thread, and only this one, until bytes arrive; -1 is C's 0 (EOF).
      while ((n = calls.read(in, buf)) != -1) {
        calls.write(out, buf, 0, n); // writen: returns once the kernel has taken all n bytes
        echoed += n;
        bytesEchoed.add(n);
        if (n == buf.length && buf.length < config.bufferSize()) {
          buf = new byte[Math.min(buf.length * 4, config.bufferSize())];
        }
      }
      // EOF: the client shut down its write side (or stop() shut down our read side). All it
      // sent has been written back already, so we owe nothing: send our FIN, then close.
      shutdown(client, SocketCalls.How.SHUT_WR);
      outcome = stopping ? "closed: server shutting down" : "closed by peer (EOF)";
    } catch (SocketTimeoutException e) {
      outcome = "idle for " + config.idleTimeout().toMillis() + " ms: closed";
    } catch (IOException e) {
      if (NetErrors.isReset(e)) {
        outcome = "reset by peer (RST)";
      } else if (stopping) {
        outcome = "closed: server shutting down";
      } else {
        outcome = "closed after I/O error: " + e.getMessage();
      }
    } finally {
      closeQuietly(client);
      clients.remove(client);
      busyThreads.decrementAndGet();
    }
    log.info("{} {}, {} echoed", client.name(), outcome, ServerRun.count(echoed, "byte", "bytes"));
  }

  /**
   * Graceful shutdown: stop accepting, let every connection finish the write it is in, close the
   * rest after {@code grace}. Returns when every client thread has ended (or been abandoned after
   * the grace period plus one second).
   *
   * @param grace how long connections may take to finish, e.g. 5 s; {@link Duration#ZERO} closes
   *     them at once
   * @return the final counters
   */
  public synchronized Stats stop(Duration grace) {
    if (finalStats != null) {
      return finalStats;
    }
    stopping = true;
    closeListener();
    try {
      acceptor.join(2_000);
      // shutdown(SHUT_RD) on each connection: a thread blocked in read() gets EOF at once, ends
      // its loop as if the client had half-closed, sends FIN and closes.
      for (Client c : clients) {
        try {
          shutdown(c, SocketCalls.How.SHUT_RD);
        } catch (IOException e) {
          // already closed by its own thread: nothing to stop
        }
      }
      workers.shutdown(); // queued clients (pool=N) still run: their read() sees EOF at once
      if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        // A client that does not read keeps our write() blocked; past the grace period, close.
        log.warn(
            "{} connection(s) still busy after {} ms: closing them",
            clients.size(),
            grace.toMillis());
        clients.forEach(EchoServer::closeQuietly);
        workers.shutdownNow();
        workers.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      clients.forEach(EchoServer::closeQuietly);
      workers.shutdownNow();
    }
    finalStats = stats();
    return finalStats;
  }

  /** Stops with a 5-second grace period. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  private void closeListener() {
    if (listener != null) {
      calls.closeListener(listener); // close(2): accept() fails, new SYNs are refused
    }
  }

  // shutdown(2) of either kind of connection.
  private static void shutdown(Client c, SocketCalls.How how) throws IOException {
    if (c.socket() instanceof Socket s) {
      c.calls().shutdown(s, how);
    } else {
      c.calls().shutdown((SocketChannel) c.socket(), how);
    }
  }

  private static void closeQuietly(Client client) {
    client.calls().close(client.socket()); // close(2)
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
