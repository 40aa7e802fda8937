package dev.socklab.common;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;

/**
 * Runs a picocli command with socklab's conventions (docs/architecture.md, "Conventions").
 *
 * <ul>
 *   <li>Exit codes: {@value #EXIT_OK} normal, {@value #EXIT_FAILURE} runtime failure, {@value
 *       #EXIT_USAGE} usage error.
 *   <li>A usage error prints one line naming the full command ({@code socklab udp-client send:
 *       ...}) and a pointer to {@code --help}, not the whole manual: picocli's own parse errors,
 *       and a {@link UsageError} a command throws after parsing.
 *   <li>A {@link UserError} prints one line, {@code socklab echo-server: port 7007 is in use...},
 *       no stack trace. Anything else is a bug: logged with its stack trace.
 * </ul>
 */
public final class Cli {
  /** Normal exit, including a graceful shutdown after SIGINT or SIGTERM. */
  public static final int EXIT_OK = 0;

  /** Runtime failure: the command started but could not do its job. */
  public static final int EXIT_FAILURE = 1;

  /** Usage error: unknown option, bad value, missing argument. */
  public static final int EXIT_USAGE = 2;

  private Cli() {}

  /**
   * Parses {@code args}, runs the command and exits the JVM with its exit code. For {@code main}
   * methods only.
   *
   * @param command a picocli {@code @Command} object, usually a {@link Callable}
   * @param args the command-line arguments
   */
  public static void main(Object command, String[] args) {
    int code = execute(command, args);
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /**
   * Parses {@code args} and runs the command, without exiting the JVM (tests call this).
   *
   * @param command a picocli {@code @Command} object, usually a {@link Callable}
   * @param args the command-line arguments
   * @return the exit code: {@value #EXIT_OK}, {@value #EXIT_FAILURE} or {@value #EXIT_USAGE}
   */
  public static int execute(Object command, String... args) {
    return commandLine(command).execute(args);
  }

  /**
   * A {@link CommandLine} for {@code command} with socklab's error handling installed.
   *
   * @param command a picocli {@code @Command} object
   * @return the configured command line, ready to {@code execute}
   */
  public static CommandLine commandLine(Object command) {
    CommandLine cl = new CommandLine(command);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          if (!usage(ex.getCommandLine(), ex.getMessage(), ex)) {
            err.println(
                "Try '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help'"
                    + " for more information.");
          }
          err.flush();
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, bad, parseResult) -> {
          String name = bad.getCommandSpec().qualifiedName();
          if (ex instanceof UsageError) {
            usage(bad, ex.getMessage(), null);
            bad.getErr().println("Try '" + name + " --help' for more information.");
            bad.getErr().flush();
            return EXIT_USAGE;
          }
          if (ex instanceof UserError) {
            bad.getErr().println(name + ": " + ex.getMessage());
            bad.getErr().flush();
          } else {
            // Not the user's doing: a bug or an environment failure worth a stack trace.
            LogSetup.awaitBackground();
            LoggerFactory.getLogger(Cli.class).error("{} failed unexpectedly", name, ex);
          }
          return EXIT_FAILURE;
        });
    return cl;
  }

  // "socklab echo-server: MESSAGE"; true if picocli printed suggestions (a mistyped option).
  private static boolean usage(CommandLine bad, String message, CommandLine.ParameterException ex) {
    PrintWriter err = bad.getErr();
    err.println(bad.getCommandSpec().qualifiedName() + ": " + message);
    return ex != null && CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
  }

  /** {@code --version}: socklab's version (from the jar manifest) and the running JVM. */
  public static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {
        "socklab " + (v == null ? "(development build)" : v),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
      };
    }
  }
}
