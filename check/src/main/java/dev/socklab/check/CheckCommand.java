package dev.socklab.check;

import dev.socklab.common.Cli;
import dev.socklab.common.Endpoints;
import dev.socklab.common.UsageError;
import dev.socklab.common.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./socklab check KIND TARGET}: judges a server nobody here wrote (a student's own, in C or
 * any language), one line per case with the likely bug on a failure.
 */
@Command(
    name = "socklab check",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Checks a server: yours, in C or any language, or one of socklab's. Each case prints one"
          + " line: PASS, FAIL or SKIP and the time it took; a FAIL says what was expected, what"
          + " happened, and the likely bug in the words of the course. The last line is"
          + " 'N passed, N failed, N skipped'.",
      "",
      "KIND is echo (a stream echo server, TCP or a UNIX socket), chat (a line relay) or udp (a"
          + " UDP echo server). --list shows every case.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./socklab check echo localhost:9000",
      "  ./socklab check echo --unix /tmp/my.sock",
      "  ./socklab check chat localhost:9000 --self-echo",
      "  ./socklab check udp localhost:9000 --only basic,boundaries",
      "  ./socklab check echo --exec './my_server {port}'   (lifecycle cases too)",
      "  ./socklab check echo localhost:9000 --format junit --output report.xml",
      "Exit codes: 0 no case failed, 1 a case failed, 2 usage error or the server cannot be"
          + " reached at all."
    })
public final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KIND", description = "echo, chat or udp.")
  Kind kind;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "[HOST:]PORT",
      description = "The server to check (HOST defaults to localhost).")
  String target;

  @Option(
      names = "--unix",
      paramLabel = "PATH",
      description = "Check a stream server on this UNIX socket file instead.")
  Path unix;

  @Option(
      names = "--abstract",
      paramLabel = "NAME",
      description = "Check a stream server on @NAME in Linux's abstract namespace instead.")
  String abstractName;

  @Option(
      names = "--exec",
      paramLabel = "CMD",
      description =
          "Start the server with CMD ({port} or {path} is replaced with a free one), check it, and"
              + " run the lifecycle cases too (start, SIGTERM, restart, zombies, descriptors).")
  String exec;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text (default), json, junit (JUnit XML) or tap.")
  String format;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write the --format report to FILE; the text lines still go to stdout.")
  Path output;

  @Option(
      names = "--only",
      paramLabel = "CASE",
      split = ",",
      description = "Run only these cases (comma-separated or repeated).")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--skip",
      paramLabel = "CASE",
      split = ",",
      description = "Leave these cases out.")
  List<String> skip = new ArrayList<>();

  @Option(names = "--list", description = "List the cases of KIND and exit.")
  boolean list;

  @Option(
      names = "--timeout-scale",
      paramLabel = "X",
      defaultValue = "1",
      description = "Stretch every deadline X times, 0.1-100 (slow machines, valgrind).")
  double timeoutScale;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "Seed of every payload: the same seed sends the same bytes (default: 1).")
  long seed;

  @Option(names = "--verbose", description = "On a failing case, show the bytes exchanged.")
  boolean verbose;

  @Option(
      names = "--self-echo",
      description = "chat: the server also sends each line back to its sender.")
  boolean selfEcho;

  @Option(
      names = "--max-loss",
      paramLabel = "PERCENT",
      defaultValue = "1",
      description = "udp burst: the share of datagrams that may be lost, 0-100 (default: 1).")
  double maxLossPercent;

  /**
   * Entry point of {@code ./socklab check}.
   *
   * @param args see {@code --help}
   */
  public static void main(String[] args) {
    Cli.main(new CheckCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    Report report = report();
    List<CheckCase> cases = selected();
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      for (CheckCase c : cases) {
        out.printf("%-20s %s%s%n", c.name(), c.proves(), c.lifecycle() ? " (--exec)" : "");
      }
      out.flush();
      return Cli.EXIT_OK;
    }
    checkOptions();
    Probe.Options options =
        new Probe.Options(timeoutScale, seed, verbose, selfEcho, maxLossPercent / 100);
    try (Launched launched = exec == null ? null : Launched.prepare(exec, kind == Kind.UDP)) {
      Target t = target(launched);
      if (launched != null) {
        launched.start();
        if (!launched.awaitListening(
            Duration.ofSeconds(10).multipliedBy((long) Math.ceil(timeoutScale)),
            kind == Kind.UDP)) {
          throw new UsageError(
              "the server started with '"
                  + launched.command()
                  + "' did not listen within 10 s"
                  + (launched.lastOutput().isEmpty()
                      ? ""
                      : "; it printed: " + String.join(" | ", launched.lastOutput())));
        }
      } else if (!reachable(t)) {
        return Cli.EXIT_USAGE;
      }
      boolean text = report == Report.TEXT || output != null;
      List<Runner.Result> results =
          Runner.run(
              cases,
              t,
              options,
              launched,
              r -> {
                if (text) {
                  out.println(Report.line(r, verbose));
                  out.flush();
                }
              });
      if (text) {
        out.println(Report.summary(results));
      }
      if (report != Report.TEXT) {
        String doc = report.document(kind, t.describe(), results);
        if (output != null) {
          Files.writeString(output, doc, StandardCharsets.UTF_8);
        } else {
          out.print(doc);
        }
      } else if (output != null) {
        Files.writeString(
            output, report.document(kind, t.describe(), results), StandardCharsets.UTF_8);
      }
      out.flush();
      return Report.count(results, Outcome.Status.FAIL) > 0 ? Cli.EXIT_FAILURE : Cli.EXIT_OK;
    }
  }

  private Report report() {
    try {
      return Report.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageError("--format must be text, json, junit or tap, not '" + format + "'");
    }
  }

  // The cases of KIND that --only and --skip leave, in their order; unknown names are refused.
  private List<CheckCase> selected() {
    List<CheckCase> all = Cases.of(kind);
    Set<String> names = all.stream().map(CheckCase::name).collect(Collectors.toSet());
    for (String n : concat(only, skip)) {
      if (!names.contains(n)) {
        throw new UsageError(
            "no " + kind + " case '" + n + "'; there are: " + String.join(", ", sorted(names)));
      }
    }
    return all.stream()
        .filter(c -> only.isEmpty() || only.contains(c.name()))
        .filter(c -> !skip.contains(c.name()))
        .toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  private void checkOptions() {
    int given =
        (target != null ? 1 : 0)
            + (unix != null ? 1 : 0)
            + (abstractName != null ? 1 : 0)
            + (exec != null ? 1 : 0);
    if (given != 1) {
      throw new UsageError(
          "name the server once: [HOST:]PORT, --unix PATH, --abstract NAME or --exec CMD");
    }
    if (kind == Kind.UDP && (unix != null || abstractName != null)) {
      throw new UsageError("udp checks a UDP server: give [HOST:]PORT or --exec CMD");
    }
    if (timeoutScale < 0.1 || timeoutScale > 100) {
      throw new UsageError("--timeout-scale must be 0.1-100, not " + timeoutScale);
    }
    if (maxLossPercent < 0 || maxLossPercent > 100) {
      throw new UsageError("--max-loss must be 0-100 (percent), not " + maxLossPercent);
    }
  }

  private Target target(Launched launched) {
    if (launched != null) {
      if (launched.path() != null) {
        return new Target.Unix(launched.path());
      }
      var hp = new Endpoints.HostPort("127.0.0.1", launched.port());
      return kind == Kind.UDP ? new Target.Udp(hp) : new Target.Tcp(hp);
    }
    if (unix != null) {
      return new Target.Unix(unix);
    }
    if (abstractName != null) {
      return new Target.Abstract(abstractName);
    }
    var hp = Target.hostPort(target);
    return kind == Kind.UDP ? new Target.Udp(hp) : new Target.Tcp(hp);
  }

  // False, after the clients' one line, when nobody is there at all: exit 2 before any case.
  private boolean reachable(Target t) throws IOException {
    try {
      if (t instanceof Target.Udp udp) {
        reachableUdp(udp);
      } else {
        t.connect(Probe.DEFAULT_WAIT).close();
      }
      return true;
    } catch (UserError e) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
      spec.commandLine().getErr().flush();
      return false;
    }
  }

  // UDP has no handshake: a connected socket learns of "port unreachable" (ICMP) on its receive.
  private static void reachableUdp(Target.Udp udp) throws IOException {
    InetSocketAddress to = udp.address();
    try (DatagramSocket s = new DatagramSocket()) {
      s.connect(to);
      s.setSoTimeout(1000);
      s.send(new DatagramPacket(new byte[] {'?'}, 1));
      s.receive(new DatagramPacket(new byte[16], 16));
    } catch (PortUnreachableException e) {
      throw new UserError(
          "no UDP server at " + udp.describe() + " (ECONNREFUSED: ICMP port unreachable)", e);
    } catch (SocketTimeoutException e) {
      // no answer: the cases will say what is wrong
    }
  }
}
