package dev.socklab.client;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.Endpoints.HostPort;
import dev.socklab.common.LogOptions;
import dev.socklab.common.SocketCalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab chat-client}: joins a chat server. Reads stdin and the socket at the same time,
 * so what others say appears while you type (unlike the course's two-FIFO chat, which takes turns).
 * Bytes pass through unchanged, so any UTF-8 text (Korean, emoji) works end to end.
 */
@Command(
    name = "chat-client",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Joins a chat server: lines you type go to the room, what others say appears as it"
          + " arrives. /help lists the server's commands; /quit or Ctrl-D leaves.",
      ""
    },
    footer = {
      "",
      "Example:  ./socklab chat-client localhost:7070 --nick alice",
      "Exit codes: 0 left normally (/quit, Ctrl-D or the server closed), 1 connection failure,"
          + " 2 usage error."
    })
public final class ChatClient implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "[HOST:]PORT",
      defaultValue = "localhost:" + Defaults.CHAT_PORT,
      description = "Chat server (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--nick",
      paramLabel = "NAME",
      description = "Ask for this nick on joining (sends /nick NAME first).")
  String nick;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = Durations.class,
      description = "How long connect() may wait (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Mixin LogOptions logging;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  /** A client on the process's stdin, stdout and stderr. */
  public ChatClient() {
    this(System.in, System.out, System.err);
  }

  /**
   * A client on the given streams (tests run it in-process with these).
   *
   * @param stdin what to send
   * @param stdout where the room's lines go
   * @param stderr where errors go
   */
  public ChatClient(InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws IOException {
    SocketCalls calls = new SocketCalls(logging.apply());
    HostPort hp = Endpoints.parse(target, "localhost", Defaults.CHAT_PORT);
    Socket socket =
        Connector.connect(
            hp, Defaults.CHAT_PORT, Defaults.CHAT_SERVER_COMMAND, connectTimeout, calls);
    try (Conn conn = Conn.of(socket, calls)) { // close(2) when done
      calls.setsockopt(socket, StandardSocketOptions.TCP_NODELAY, true); // each line at once
      if (nick != null) {
        byte[] line = ("/nick " + nick + "\n").getBytes(StandardCharsets.UTF_8);
        calls.write(socket.getOutputStream(), line, 0, line.length);
      }
      // Either end closing is a normal way to leave.
      Duplex.run(conn, stdin, stdout, calls);
      return Cli.EXIT_OK;
    } catch (IOException e) {
      stderr.println(spec.qualifiedName() + ": connection to " + hp + " lost: " + e.getMessage());
      return Cli.EXIT_FAILURE;
    }
  }
}
