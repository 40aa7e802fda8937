package dev.socklab.chat;

import dev.socklab.common.Endpoints;
import dev.socklab.common.NetErrors;
import dev.socklab.common.SocketCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat server as the course's select() server: one thread, one {@link Selector} over the
 * listening socket and every client socket, all non-blocking.
 *
 * <p>The loop: {@code select()} blocks until some sockets are ready; for the listening socket,
 * {@code accept()} every pending connection; for a readable client, {@code read()} what is there
 * and hand each whole line to the {@link ChatRoom}; for a writable client, {@code write()} its
 * queued output. A client is registered for OP_WRITE only while it has output queued, otherwise
 * select() would return at once forever. Output to a client is queued, never written with a
 * blocking call, so a client that stops reading costs memory (bounded by {@code maxPendingBytes},
 * then it is cut off; and all clients' together by {@code maxPendingTotalBytes}: {@link
 * OutputBudget}) but never time for the others.
 */
public final class SelectorChatServer implements ChatServer {
  private static final Logger log = LoggerFactory.getLogger(SelectorChatServer.class);
  private static final int ACCEPT_BATCH = 16; // connections accepted per loop round
  // Heap cost of one queued line besides its bytes (its queue slot and, for a line sent to one
  // client only, the array's header), counted against --max-pending (and --max-pending-total)
  // so the limits bound memory even for many short lines (Netty counts its outbound entries the
  // same way).
  private static final int ENTRY_OVERHEAD = 32;

  private final Config config;
  private final SocketCalls calls;
  private final Selector selector;
  private final ServerSocketChannel listener;
  private final ChatRoom room;
  private final OutputBudget budget;
  private final Iterable<Client> clients = this::clients; // for the budget: every connection
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024); // one thread: shared
  // Queued lines are copied here for each write(2): one shared buffer, not one per client (nor
  // the JDK's temporary copy of heap buffers), so a queue costs only its lines. Not readBuffer:
  // a write can happen while a read's lines are still being handled.
  private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 * 1024);
  private final ByteBuffer[] writeBuffers = {writeBuffer};
  private final Thread loop;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
  private volatile long stopDeadline; // System.nanoTime() by which to close everything; 0 = running
  private final ArrayDeque<Client> dirty = new ArrayDeque<>(); // clients with new output queued
  private final ArrayDeque<Client> failed = new ArrayDeque<>(); // write failed, room not told
  private boolean shutdownStarted;
  private long nextId;

  private SelectorChatServer(
      Config config, SocketCalls calls, Selector selector, ServerSocketChannel listener) {
    this.config = config;
    this.calls = calls;
    this.selector = selector;
    this.listener = listener;
    this.room = new ChatRoom(config.maxLineBytes());
    this.budget = new OutputBudget(config.maxPendingTotalBytes(), room);
    this.loop = Thread.ofPlatform().name("selector-loop").unstarted(this::run);
  }

  /**
   * Binds, listens and starts the selector loop on its own thread.
   *
   * @param config how to listen
   * @return the running server
   * @throws dev.socklab.common.UserError if the address cannot be bound
   * @throws IOException if the selector or socket cannot be created
   */
  public static SelectorChatServer start(Config config) throws IOException {
    return start(config, null);
  }

  /**
   * Serves a listening socket the service manager made and left on standard input (systemd {@code
   * Accept=no} with {@code StandardInput=socket}: {@code man 5 systemd.socket}) instead of binding
   * one: no socket(2), setsockopt(2), bind(2) or listen(2), so the address and backlog of {@code
   * config} are unused.
   *
   * @param config how to serve
   * @param inherited the listening channel on standard input, or null to bind as {@link
   *     #start(Config)} does
   * @return the running server
   * @throws dev.socklab.common.UserError if the address cannot be bound
   * @throws IOException if the sockets cannot be set up
   */
  public static SelectorChatServer start(Config config, ServerSocketChannel inherited)
      throws IOException {
    SocketCalls calls = new SocketCalls(config.trace());
    Selector selector = Selector.open(); // the fd sets of select(); epoll_create(2) on Linux
    ServerSocketChannel listener = inherited;
    try {
      if (listener == null) {
        listener = calls.serverSocketChannel(); // socket(2)
        calls.setsockopt(listener, StandardSocketOptions.SO_REUSEADDR, true);
        calls.bindAndListen(listener, config.bindAddress(), config.backlog()); // bind, listen
      }
      calls.setNonBlocking(listener); // accept() returns null instead of blocking
      listener.register(selector, SelectionKey.OP_ACCEPT); // FD_SET(listenfd, &rset)
    } catch (IOException | RuntimeException e) {
      if (listener != null) {
        calls.close(listener);
      }
      selector.close();
      throw e;
    }
    SelectorChatServer server = new SelectorChatServer(config, calls, selector, listener);
    server.loop.start();
    return server;
  }

  // The select() loop: wait until sockets are ready, serve each, flush what the round queued.
  private void run() {
    try {
      while (!flushedAfterStop()) {
        // select(2): block until a socket is ready; while stopping, wake to watch the deadline.
        calls.select(selector, stopDeadline == 0 ? 0 : 50);
        if (Thread.currentThread().isInterrupted()) {
          // An interrupted select() returns at once, every time: end the loop, do not spin.
          throw new java.io.InterruptedIOException("select() loop interrupted");
        }
        for (Iterator<SelectionKey> ready = selector.selectedKeys().iterator(); ready.hasNext(); ) {
          SelectionKey key = ready.next();
          ready.remove();
          serve(key);
        }
        flushDirty(); // one write per client for all the lines this round queued for it
      }
    } catch (IOException | RuntimeException e) {
      // Not one client's trouble (those are handled where they happen): the loop itself broke,
      // and a server that no longer accepts must not look alive.
      if (stopDeadline == 0) {
        failure.complete(new IOException("the select() loop failed: " + e.getMessage(), e));
      }
    } finally {
      for (SelectionKey key : selector.keys()) {
        if (key.attachment() instanceof Client c) {
          c.abort();
        }
      }
      calls.closeListener(listener);
      closeQuietly(selector);
      stopped.countDown();
    }
  }

  // FD_ISSET for one ready socket: the listener accepts, a client reads and/or writes.
  private void serve(SelectionKey key) throws IOException {
    if (!key.isValid()) {
      return; // closed earlier in this round
    }
    if (key.isAcceptable()) {
      acceptAll();
      return;
    }
    Client c = (Client) key.attachment();
    if (key.isReadable()) {
      c.read();
    }
    if (key.isValid() && key.isWritable()) {
      c.flush();
    }
  }

  // After stop(): start the shutdown once; done when everyone is flushed or the grace is over.
  private boolean flushedAfterStop() {
    long deadline = stopDeadline;
    if (deadline == 0) {
      return false;
    }
    if (!shutdownStarted) {
      beginShutdown();
    }
    return selector.keys().isEmpty() || System.nanoTime() - deadline >= 0;
  }

  private void acceptAll() throws IOException {
    SocketChannel ch;
    // accept(2) until EAGAIN, but at most ACCEPT_BATCH per round: every join is announced to
    // everyone, and a burst of thousands of connects must not queue millions of notices before
    // the loop gets to write any of them. The rest wait in the kernel's accept queue.
    for (int i = 0; i < ACCEPT_BATCH && (ch = calls.accept(listener)) != null; i++) {
      Client c = new Client(ch, ++nextId);
      c.calls.setNonBlocking(ch);
      c.calls.setsockopt(ch, StandardSocketOptions.TCP_NODELAY, true);
      c.key = ch.register(selector, SelectionKey.OP_READ, c); // FD_SET(connfd, &rset)
      if (room.size() >= config.maxClients()) {
        log.warn("{} refused: --max-clients {} reached", c.remote(), config.maxClients());
        c.send(ChatRoom.encode("* server full"));
        c.close();
      } else {
        room.join(c);
      }
    }
  }

  private void flushDirty() {
    do {
      for (Client c; (c = dirty.poll()) != null; ) {
        c.dirty = false;
        c.flush();
      }
      for (Client c; (c = failed.poll()) != null; ) {
        room.leave(c); // may queue "* X left" for the others: flush again
      }
    } while (!dirty.isEmpty());
  }

  private void beginShutdown() {
    shutdownStarted = true;
    SelectionKey acceptKey = listener.keyFor(selector);
    if (acceptKey != null) {
      acceptKey.cancel();
    }
    calls.closeListener(listener); // new connections are refused from now on
    room.shutdown(); // "* server shutting down" to everyone, then close after flushing
    flushDirty();
  }

  /** One connection: its non-blocking socket, its line framer and its queued output. */
  private final class Client implements OutputBudget.Queue, LineFramer.Sink {
    final SocketChannel ch;
    final String remote;
    final SocketCalls calls;
    final LineFramer framer = new LineFramer(config.maxLineBytes());
    // The lines themselves: a broadcast line is one array shared by every recipient, so queuing
    // it costs a slot here, not a copy and not an object per recipient.
    final ArrayDeque<byte[]> queue = new ArrayDeque<>(4);
    int headWritten; // bytes of queue.peek() the kernel already took (a partial write)
    SelectionKey key;
    long pending; // bytes queued and not yet taken by the kernel, plus ENTRY_OVERHEAD per line
    boolean dirty; // in the server's dirty list: flush at the end of this round
    boolean closeWhenFlushed;

    Client(SocketChannel ch, long id) throws IOException {
      this.ch = ch;
      this.remote = "#" + id + " " + Endpoints.format(ch.getRemoteAddress());
      this.calls = SelectorChatServer.this.calls.forConnection(remote);
    }

    void read() {
      readBuffer.clear();
      int n;
      try {
        n = calls.read(ch, readBuffer); // read(2): returns what is there, never waits
      } catch (IOException e) {
        log.info("{} {}", remote, NetErrors.isReset(e) ? "reset by peer (RST)" : e.getMessage());
        room.leave(this);
        abort();
        return;
      }
      if (n < 0) {
        // EOF: the client is done sending. Let it have what is queued for it, then close.
        room.leave(this);
        close();
        return;
      }
      readBuffer.flip();
      framer.feed(readBuffer, this);
    }

    @Override
    public void line(String line) {
      room.line(this, line);
    }

    @Override
    public void tooLong() {
      room.lineTooLong(this);
    }

    @Override
    public boolean send(byte[] line) {
      if (!ch.isOpen() || closeWhenFlushed) {
        return true;
      }
      long cost = line.length + ENTRY_OVERHEAD;
      budget.makeRoom(cost, clients); // may flush or cut off others, or this client
      if (!ch.isOpen()) {
        return true; // cut off to make room: the room is told
      }
      queue.add(line);
      count(cost);
      if (!dirty) {
        dirty = true;
        SelectorChatServer.this.dirty.add(this);
      }
      if (pending > config.maxPendingBytes()) {
        // Over the limit, counting what this round has not written yet: write now, and cut the
        // client off only if the kernel will not take it (it is not reading).
        flush();
      }
      return pending <= config.maxPendingBytes();
    }

    // Writes as much of the queue as the socket takes: the lines are copied into the shared
    // write buffer, up to 64 KiB at a time, and written with one call. What the kernel does not
    // take stays queued and waits for OP_WRITE; the loop never blocks on one client.
    @Override
    public void flush() {
      try {
        while (!queue.isEmpty() && ch.isOpen()) {
          writeBuffer.clear();
          int skip = headWritten;
          for (byte[] line : queue) {
            int n = Math.min(line.length - skip, writeBuffer.remaining());
            writeBuffer.put(line, skip, n);
            skip = 0;
            if (!writeBuffer.hasRemaining()) {
              break;
            }
          }
          writeBuffer.flip();
          int copied = writeBuffer.remaining();
          long n = calls.writev(ch, writeBuffers); // takes what fits in the socket buffer, maybe 0
          count(-n);
          consume(n);
          if (n < copied) {
            break; // the socket buffer is full: wait for OP_WRITE
          }
        }
      } catch (IOException e) {
        // EPIPE or ECONNRESET: the client is gone. We may be inside a broadcast: tell the room
        // at the end of the round.
        abort();
        failed.add(this);
        return;
      }
      if (!ch.isOpen()) {
        return;
      }
      if (queue.isEmpty()) {
        key.interestOpsAnd(~SelectionKey.OP_WRITE); // FD_CLR(connfd, &wset): nothing to write
        if (closeWhenFlushed) {
          abort();
        }
      } else {
        key.interestOpsOr(SelectionKey.OP_WRITE); // FD_SET(connfd, &wset) until drained
      }
    }

    // Drops the n bytes the kernel took from the front of the queue.
    private void consume(long n) {
      while (n > 0) {
        byte[] head = queue.peek();
        int left = head.length - headWritten;
        if (n < left) {
          headWritten += (int) n;
          return;
        }
        n -= left;
        queue.poll();
        headWritten = 0;
        count(-ENTRY_OVERHEAD);
      }
    }

    // Every change to what is queued goes through here: this client's count and the budget's.
    private void count(long bytes) {
      pending += bytes;
      budget.add(bytes);
    }

    @Override
    public long queued() {
      return pending;
    }

    @Override
    public boolean isOpen() {
      return ch.isOpen();
    }

    @Override
    public void close() {
      closeWhenFlushed = true;
      if (queue.isEmpty()) {
        abort();
      }
    }

    @Override
    public void abort() {
      if (ch.isOpen()) {
        key.cancel(); // FD_CLR
        calls.close(ch); // close(2)
        queue.clear();
        headWritten = 0;
        count(-pending);
      }
    }

    @Override
    public String remote() {
      return remote;
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) listener.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("server socket closed", e);
    }
  }

  // The selector's keys are the list of connections: the budget looks for the largest queues here.
  private Iterator<Client> clients() {
    return selector.keys().stream()
        .map(SelectionKey::attachment)
        .filter(Client.class::isInstance)
        .map(Client.class::cast)
        .iterator();
  }

  @Override
  public int connectedClients() {
    return room.size();
  }

  @Override
  public long queuedBytes() {
    return budget.total();
  }

  @Override
  public String describe() {
    return "one thread, a java.nio Selector loop";
  }

  @Override
  public CompletableFuture<Throwable> failure() {
    return failure;
  }

  @Override
  public synchronized Stats stop(Duration grace) {
    if (stopDeadline == 0) {
      stopDeadline = System.nanoTime() + Math.max(1, grace.toNanos());
      selector.wakeup(); // the loop is blocked in select(): let it see the request
    }
    try {
      if (!stopped.await(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
        log.warn("selector loop did not stop in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new Stats(room.joinedCount(), room.relayedCount(), room.cutOffCount(), budget.peak());
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing: nothing more to do with it
    }
  }
}
