package dev.socklab.dist;

import dev.socklab.bench.BenchCommand;
import dev.socklab.chat.ChatServerCommand;
import dev.socklab.check.CheckCommand;
import dev.socklab.client.ClientMain;
import dev.socklab.common.Cli;
import dev.socklab.echo.EchoServerCommand;
import dev.socklab.netinfo.NetinfoMain;
import dev.socklab.udp.UdpServerCommand;
import dev.socklab.uds.UdsServerCommand;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The {@code socklab} command as one picocli model: every server and client under the name the
 * launcher gives it, and the launcher's own commands (help, man, completion, test, build, dist).
 * The man pages and the shell completion are generated from this model, so they say what {@code
 * --help} says. The launcher's command table ({@code socklab}, {@code commands()}) must list the
 * same names; {@code LauncherTableTest} checks that.
 *
 * <p>Nothing runs this model: {@code ./socklab} starts each server's or client's own main class.
 */
@Command(
    name = "socklab",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    description = {
      "Socket programming on Linux, in Java: servers and clients to run, talk to with netcat,"
          + " trace call by call, measure and test. Each server is one classic model from a"
          + " Linux network programming course.",
      "",
      "Each server prints where it listens and how to connect; SIGINT (Ctrl-C) or SIGTERM stops"
          + " it gracefully. Every command takes --help (all options, defaults, examples) and"
          + " --version.",
      ""
    },
    footer = {
      "",
      "Examples:  socklab echo-server   then, in another terminal:  nc localhost 7007",
      "           socklab echo-server --port 0 --trace",
      "           socklab echo-client localhost:7007 --count 1000 --size 512",
      "           man socklab-echo-server     (in the release: MANPATH=DIR/share/man)",
      "Environment: JAVA_HOME picks the JDK (socklab looks for one >= 21: JAVA_HOME, java on"
          + " PATH, then /usr/lib/jvm); SOCKLAB_JAVA_OPTS adds JVM options. A command's first"
          + " run writes a class-data archive of its classes as it exits (in a clone"
          + " MODULE/target/cds, else $XDG_CACHE_HOME/socklab or ~/.cache/socklab), which later"
          + " runs map to start sooner; SOCKLAB_CDS=off does without.",
      "Completion: source <(socklab completion bash) in ~/.bashrc, or in the release copy"
          + " share/bash-completion/completions/socklab to"
          + " ~/.local/share/bash-completion/completions/. zsh: source <(socklab completion zsh)."
    })
public final class SocklabCommand implements Runnable {
  /** The servers, by the name the launcher runs them under. */
  private static final Map<String, Class<?>> SERVERS = servers();

  /**
   * The clients: subcommands of the clients jar's {@link ClientMain}, as the launcher runs them.
   */
  public static final List<String> CLIENTS =
      List.of("echo-client", "chat-client", "udp-client", "uds-client");

  /** Names and socket options: subcommands of the netinfo jar's {@link NetinfoMain}. */
  public static final List<String> NETINFO = List.of("resolve", "sockopt");

  /** The launcher's own commands, which have no Java main (see the {@code socklab} script). */
  private static final List<Class<?>> LAUNCHER_COMMANDS =
      List.of(Help.class, Man.class, Completion.class, Test.class, Build.class, Dist.class);

  private static Map<String, Class<?>> servers() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("echo-server", EchoServerCommand.class);
    m.put("chat-server", ChatServerCommand.class);
    m.put("udp-broadcast", UdpServerCommand.class);
    m.put("uds-server", UdsServerCommand.class);
    return m;
  }

  /**
   * Builds the whole model. Each command is registered, and named, by the short name the launcher
   * knows it by, whatever its own {@code @Command(name)} says ({@code "socklab echo-server"} or
   * {@code "echo-server"}), so that man pages and completion use {@code socklab echo-server}.
   *
   * @return {@code socklab} with every command as a subcommand, in the launcher's order
   */
  public static CommandLine commandLine() {
    CommandLine socklab = new CommandLine(new SocklabCommand());
    SERVERS.forEach((name, type) -> register(socklab, name, new CommandLine(type)));
    // Through ClientMain, as `java -jar clients.jar echo-client` resolves them.
    subcommands(socklab, new ClientMain(), CLIENTS);
    register(socklab, "check", new CommandLine(CheckCommand.class));
    register(socklab, "bench", new CommandLine(BenchCommand.class));
    subcommands(socklab, new NetinfoMain(), NETINFO);
    for (Class<?> type : LAUNCHER_COMMANDS) {
      CommandLine command = new CommandLine(type);
      register(socklab, command.getCommandName(), command);
    }
    return socklab;
  }

  // The commands a jar's main knows by name (`java -jar clients.jar echo-client`), registered
  // as that main resolves them.
  private static void subcommands(CommandLine parent, Object main, List<String> names) {
    Map<String, CommandLine> known = new CommandLine(main).getSubcommands();
    for (String name : names) {
      CommandLine command = known.get(name);
      if (command == null) {
        throw new IllegalStateException(
            main.getClass().getSimpleName()
                + " has no subcommand '"
                + name
                + "' (it has "
                + known.keySet()
                + ")");
      }
      register(parent, name, command);
    }
  }

  private static void register(CommandLine parent, String name, CommandLine command) {
    command.getCommandSpec().name(name);
    parent.addSubcommand(name, command);
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("./socklab runs each command's own main class");
  }

  /** {@code socklab help}: the launcher prints its command table. */
  @Command(
      name = "help",
      description = "List the commands; COMMAND --help explains a command and all its options.")
  static final class Help extends LauncherOnly {}

  /** {@code socklab man}: opens a page generated from this model. */
  @Command(
      name = "man",
      description =
          "Show the manual page of socklab, or of COMMAND (socklab-COMMAND(1)), or of a"
              + " subcommand such as udp-client send (socklab-udp-client-send(1)).")
  static final class Man extends LauncherOnly {
    @Parameters(
        arity = "0..2",
        paramLabel = "COMMAND",
        completionCandidates = CommandNames.class,
        description = "A command, and maybe its subcommand: echo-server, udp-client send, ...")
    List<String> command;
  }

  /** {@code socklab completion}: prints the script generated from this model. */
  @Command(
      name = "completion",
      description =
          "Print the shell completion script: source <(socklab completion bash). zsh loads the"
              + " same script through bashcompinit.")
  static final class Completion extends LauncherOnly {
    @Parameters(
        arity = "0..1",
        paramLabel = "SHELL",
        defaultValue = "bash",
        completionCandidates = Shells.class,
        description = "bash or zsh (default: ${DEFAULT-VALUE}).")
    String shell;
  }

  /** {@code socklab test}: {@code ./mvnw -B verify} in a clone. */
  @Command(
      name = "test",
      description =
          "Run every test: ./mvnw -B verify with a JDK >= 21 (a clone only). Extra arguments go"
              + " to Maven.")
  static final class Test extends LauncherOnly {
    @Parameters(paramLabel = "MAVEN-ARG", arity = "0..*", description = "Passed to Maven.")
    List<String> mavenArgs;
  }

  /** {@code socklab build}: builds now in a clone. */
  @Command(
      name = "build",
      description =
          "Build now (a clone only); otherwise the first command that needs a build builds."
              + " Two commands started at once build once: the second waits for the first.")
  static final class Build extends LauncherOnly {}

  /** {@code socklab dist}: the release tarball. */
  @Command(
      name = "dist",
      description =
          "Build the release (a clone only): dist/target/socklab-VERSION.tar.gz with bin/socklab,"
              + " lib/, man pages and completion. It needs a Java >= 21 and nothing else.")
  static final class Dist extends LauncherOnly {}

  /** A command the launcher runs itself: in this model only for its help, page and completion. */
  abstract static class LauncherOnly implements Runnable {
    @Override
    public void run() {
      throw new UnsupportedOperationException("the socklab launcher runs this command itself");
    }
  }

  /** Completion candidates of {@code socklab completion}. */
  static final class Shells implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("bash", "zsh").iterator();
    }
  }

  /** Completion candidates of {@code socklab man}: every command has a page. */
  static final class CommandNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = new ArrayList<>(SERVERS.keySet());
      names.addAll(CLIENTS);
      names.add("check");
      names.add("bench");
      names.addAll(NETINFO);
      LAUNCHER_COMMANDS.forEach(type -> names.add(type.getAnnotation(Command.class).name()));
      return names.iterator();
    }
  }
}
