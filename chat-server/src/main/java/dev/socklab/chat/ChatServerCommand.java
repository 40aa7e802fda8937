package dev.socklab.chat;

import dev.socklab.common.Cli;
import dev.socklab.common.Defaults;
import dev.socklab.common.Durations;
import dev.socklab.common.Endpoints;
import dev.socklab.common.HeadStart;
import dev.socklab.common.Inherited;
import dev.socklab.common.ListenOptions;
import dev.socklab.common.LogOptions;
import dev.socklab.common.LogSetup;
import dev.socklab.common.ServerRun;
import dev.socklab.common.SocketCalls;
import dev.socklab.common.Trace;
import dev.socklab.common.UserError;
import dev.socklab.netty.SdNotify;
import dev.socklab.netty.Transport;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./socklab chat-server}: the command line of the chat server, both engines. */
@Command(
    name = "socklab chat-server",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    defaultValueProvider = ChatServerCommand.Port.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "A chat room on one thread that multiplexes every client: the select() server of the"
          + " course. UTF-8 lines; each line goes to everyone else as [nick] text. Commands: /nick"
          + " NAME, /who, /me ACTION, /msg NICK TEXT, /quit, /help.",
      "",
      "Join it:  nc localhost 7070      (or several, in several terminals)",
      "          ./socklab chat-client localhost:7070 --nick alice",
      ""
    },
    footer = {
      "",
      "Engines: selector = a plain java.nio Selector loop (read SelectorChatServer.java);"
          + " netty = a Netty event loop, native epoll on Linux (NettyChatServer.java).",
      "SIGINT/SIGTERM: everyone gets '* server shutting down', queued output is flushed"
          + " within --grace, exit 0. Exit codes: 0 normal, 1 runtime failure, 2 usage error."
    })
public final class ChatServerCommand implements Callable<Integer> {
  /** {@code --port} default. */
  public static final class Port extends ListenOptions.DefaultPort {
    /** The chat server's default port. */
    public Port() {
      super(Defaults.CHAT_PORT);
    }
  }

  @Spec CommandSpec spec;

  @Mixin ListenOptions listen;

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      defaultValue = "selector",
      description =
          "selector (java.nio Selector loop) or netty (Netty event loop) (default: ${DEFAULT-VALUE}).")
  ChatServer.Engine engine;

  @Option(
      names = "--transport",
      paramLabel = "T",
      defaultValue = "auto",
      converter = Transport.Converter.class,
      description =
          "Netty engine only: auto, epoll, io_uring or nio (default: ${DEFAULT-VALUE}: epoll on Linux).")
  Transport transport;

  @Option(
      names = "--backlog",
      paramLabel = "N",
      defaultValue = "1024",
      description = "listen(2) backlog (default: ${DEFAULT-VALUE}).")
  int backlog;

  @Option(
      names = "--max-clients",
      paramLabel = "N",
      defaultValue = "" + ChatServer.Config.DEFAULT_MAX_CLIENTS,
      description =
          "Most clients at once; one more gets '* server full' (default: ${DEFAULT-VALUE}).")
  int maxClients;

  @Option(
      names = "--max-line",
      paramLabel = "BYTES",
      defaultValue = "" + ChatServer.Config.DEFAULT_MAX_LINE,
      description =
          "Longest line, bytes; a longer one is dropped with an error (default: ${DEFAULT-VALUE}).")
  int maxLine;

  @Option(
      names = "--max-pending",
      paramLabel = "BYTES",
      defaultValue = "" + ChatServer.Config.DEFAULT_MAX_PENDING,
      description =
          "Output queued for one client beyond which it is cut off as too slow (default: ${DEFAULT-VALUE}).")
  int maxPending;

  @Option(
      names = "--max-pending-total",
      paramLabel = "BYTES",
      description =
          "Output queued for all clients together; beyond it, the clients holding the most are"
              + " cut off as too slow, largest first (default: 67108864, or a quarter of the"
              + " JVM's maximum heap if that is less).")
  Long maxPendingTotal;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = Durations.class,
      description = "On SIGINT/SIGTERM, how long flushing may take (default: ${DEFAULT-VALUE}).")
  Duration grace;

  @Mixin LogOptions logging;

  /**
   * Entry point of {@code ./socklab chat-server}.
   *
   * @param args command-line arguments, see {@code --help}
   */
  public static void main(String[] args) {
    // One-time set-up while picocli reads the command line: logback's, and the Netty engine's
    // (whose first logger then waits for logback's on its own thread) or else the nick
    // checker's (ICU).
    LogSetup.startInBackground();
    java.util.List<String> a = java.util.List.of(args);
    int e = a.indexOf("--engine");
    if (a.contains("--engine=netty")
        || (e >= 0 && e + 1 < a.size() && a.get(e + 1).equals("netty"))) {
      warmUp = Transport.warmUpInBackground();
    } else {
      HeadStart.start("nicks-set-up", Nicks::load);
    }
    Cli.main(new ChatServerCommand(), args);
  }

  private static Thread warmUp;

  @Override
  public Integer call() throws Exception {
    Nicks.load(); // the Netty engine's warm-up may not be done: a head start on what follows it
    Transport.awaitWarmUp(warmUp);
    Trace trace = logging.apply();
    ChatServer.Config config;
    try {
      config =
          new ChatServer.Config(
              listen.socketAddress(),
              backlog,
              maxClients,
              maxLine,
              maxPending,
              maxPendingTotal != null
                  ? maxPendingTotal
                  : ChatServer.Config.defaultMaxPendingTotal(),
              transport,
              trace);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    int fds = Inherited.listenFds();
    if (fds > 1) {
      throw new UserError(
          "LISTEN_FDS="
              + fds
              + ": chat-server serves one socket; give the .socket unit one Listen");
    }
    ServerSocketChannel stdin = Inherited.listener(new SocketCalls(trace));
    boolean inherited = fds == 1 || stdin != null;
    return ServerRun.untilSignalled(
        "chat-server",
        () -> {
          ChatServer server =
              inherited
                  ? ChatServer.adopt(
                      engine, config, stdin, fds == 1 ? Inherited.SD_LISTEN_FDS_START : -1)
                  : ChatServer.start(engine, config);
          InetSocketAddress bound = server.localAddress();
          String banner =
              String.format(
                  "chat-server listening on %s (TCP, %s%s) — join with: nc %s %s",
                  Endpoints.format(bound),
                  inherited
                      ? (stdin != null ? "inherited on standard input" : "inherited fd 3")
                          + ": socket-activated, "
                      : "",
                  server.describe(),
                  Endpoints.hostToReach(bound),
                  bound.getPort());
          if (engine == ChatServer.Engine.NETTY) {
            SdNotify.ready(banner, trace); // Type=notify: READY=1 once we listen
          }
          return new ServerRun.Started(
              banner,
              server.failure(),
              () -> {
                ChatServer.Stats stats = server.stop(grace);
                return String.format(
                    "%s served, %s relayed, %d cut off as too slow, at most %d of %d bytes queued",
                    ServerRun.count(stats.clients(), "client", "clients"),
                    ServerRun.count(stats.relayed(), "message", "messages"),
                    stats.cutOff(),
                    stats.queuedPeak(),
                    config.maxPendingTotalBytes());
              });
        });
  }
}
