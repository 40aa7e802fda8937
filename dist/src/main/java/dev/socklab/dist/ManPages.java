package dev.socklab.dist;

import dev.socklab.common.Cli;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

/**
 * Writes man(7) pages straight from picocli's {@link CommandSpec}: the same names, labels,
 * descriptions and defaults as {@code --help}, as roff that man, groff and mandoc render.
 *
 * <p>One page per command, git style: {@code socklab(1)}, {@code socklab-echo-server(1)}, {@code
 * socklab-udp-client-send(1)}. Sections: NAME (the description's first clause), SYNOPSIS,
 * DESCRIPTION, ARGUMENTS, OPTIONS, COMMANDS, EXIT STATUS (socklab's conventions, {@link Cli}), then
 * the footer: its {@code Examples:} lines become EXAMPLES, {@code Environment:} ENVIRONMENT, the
 * rest NOTES; and SEE ALSO. (Why not picocli-codegen's AsciiDoc and Asciidoctor: dist's README.)
 */
public final class ManPages {
  private static final Pattern TWO_SPACES = Pattern.compile("\\S {2,}\\S");

  private ManPages() {}

  /**
   * Every page of a command tree.
   *
   * @param root the top command, e.g. {@link SocklabCommand#commandLine()}
   * @param version the version for the pages' footers, e.g. {@code 0.1.0}
   * @return file name ({@code socklab-echo-server.1}) to roff, root first, in declaration order
   */
  public static Map<String, String> all(CommandLine root, String version) {
    Map<String, String> pages = new LinkedHashMap<>();
    for (CommandSpec spec : tree(root.getCommandSpec())) {
      pages.put(pageName(spec) + ".1", page(spec, version));
    }
    return pages;
  }

  /**
   * The page name of a command: its qualified name with dashes, e.g. {@code socklab-echo-server}.
   *
   * @param spec a command
   * @return its page's name, without the section
   */
  public static String pageName(CommandSpec spec) {
    return spec.qualifiedName("-");
  }

  /**
   * One command's page.
   *
   * @param spec the command
   * @param version the version for the page's footer
   * @return the page as roff
   */
  public static String page(CommandSpec spec, String version) {
    Roff r = new Roff();
    String name = pageName(spec);
    r.request(
        ".TH "
            + quote(name.toUpperCase(java.util.Locale.ROOT))
            + " 1 \"\" "
            + quote("socklab " + version)
            + " "
            + quote("socklab manual"));
    // No hyphenation, ragged right: option names must read (and copy) as typed.
    r.request(".nh");
    r.request(".ad l");

    r.section("NAME");
    r.text(escape(name) + " \\- " + escape(summary(spec)));

    r.section("SYNOPSIS");
    synopsis(r, spec);

    r.section("DESCRIPTION");
    paragraphs(r, lines(spec.usageMessage().description()));

    List<PositionalParamSpec> params =
        spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    if (!params.isEmpty()) {
      r.section("ARGUMENTS");
      for (PositionalParamSpec p : params) {
        r.request(".TP");
        r.text("\\fI" + escape(p.paramLabel()) + "\\fR" + (p.arity().max() > 1 ? "..." : ""));
        descriptionLines(r, p);
      }
    }

    List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
    if (!options.isEmpty()) {
      r.section("OPTIONS");
      for (OptionSpec o : options) {
        r.request(".TP");
        r.text(optionNames(o));
        descriptionLines(r, o);
      }
    }

    List<CommandSpec> subcommands = children(spec);
    if (!subcommands.isEmpty()) {
      r.section("COMMANDS");
      for (CommandSpec sub : subcommands) {
        r.request(".TP");
        r.text("\\fB" + escape(sub.name()) + "\\fR");
        r.text(escape(summary(sub)) + ": see \\fB" + escape(pageName(sub)) + "\\fR(1).");
      }
    }

    Footer footer = Footer.of(lines(spec.usageMessage().footer()));
    r.section("EXIT STATUS");
    exitStatus(r, footer.exitCodes);

    if (!footer.examples.isEmpty()) {
      r.section("EXAMPLES");
      verbatim(r, footer.examples);
    }
    if (!footer.environment.isEmpty()) {
      r.section("ENVIRONMENT");
      paragraphs(r, footer.environment);
    }
    if (!footer.notes.isEmpty()) {
      r.section("NOTES");
      paragraphs(r, footer.notes);
    }

    r.section("SEE ALSO");
    r.text(String.join(",\n", seeAlso(spec)));
    return r.toString();
  }

  /**
   * A one-line summary for NAME and COMMANDS: the description's first clause (up to the first
   * {@code ": "} or {@code ". "}), lower-cased like a man page's NAME line.
   *
   * @param spec a command
   * @return e.g. {@code thread-per-client TCP echo server (RFC 862)}
   */
  public static String summary(CommandSpec spec) {
    String[] description = spec.usageMessage().description();
    String first = description.length == 0 ? "" : description[0].strip();
    for (String stop : List.of(": ", ". ")) {
      int at = first.indexOf(stop);
      if (at > 0) {
        first = first.substring(0, at);
      }
    }
    if (first.endsWith(".")) {
      first = first.substring(0, first.length() - 1);
    }
    // "Talks to" and "A chat room" start lower case; "UDP client" stays.
    String word = first.split(" ", 2)[0];
    if (!word.isEmpty() && word.substring(1).chars().noneMatch(Character::isUpperCase)) {
      first = Character.toLowerCase(first.charAt(0)) + first.substring(1);
    }
    return first;
  }

  private static void synopsis(Roff r, CommandSpec spec) {
    List<String> words = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        words.add("[" + optionNames(o).replace(", ", " | ") + "]");
      }
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (!p.hidden()) {
        String label =
            "\\fI" + escape(p.paramLabel()) + "\\fR" + (p.arity().max() > 1 ? "..." : "");
        words.add(p.arity().min() == 0 ? "[" + label + "]" : label);
      }
    }
    if (!children(spec).isEmpty()) {
      words.add("\\fICOMMAND\\fR [\\fIOPTIONS\\fR]");
    }
    // One word a line: roff fills them.
    r.text("\\fB" + escape(spec.qualifiedName()) + "\\fR");
    words.forEach(r::text);
  }

  /** {@code \fB-p\fR, \fB--port\fR \fIPORT\fR}, {@code \fB--[no-]nodelay\fR}. */
  private static String optionNames(OptionSpec o) {
    List<String> names = new ArrayList<>();
    for (String n : o.names()) {
      if (o.negatable() && n.startsWith("--")) {
        n = "--[no-]" + n.substring(2);
      }
      names.add("\\fB" + escape(n) + "\\fR");
    }
    String result = String.join(", ", names);
    Range arity = o.arity();
    if (arity.max() > 0 && !o.usageHelp() && !o.versionHelp()) {
      String label = "\\fI" + escape(o.paramLabel()) + "\\fR";
      result += arity.min() == 0 ? " [" + label + "]" : " " + label;
    }
    return result;
  }

  private static void descriptionLines(Roff r, ArgSpec arg) {
    // picocli's lines are wrapped for an 80-column terminal; roff refills them.
    for (String line : arg.description()) {
      if (!line.isBlank()) {
        r.text(escape(line.strip()));
      }
    }
  }

  /**
   * Text as man paragraphs, as {@code --help} lays it out: each line of prose is a paragraph (roff
   * fills it), and a run of lines laid out in columns (leading spaces, or runs of spaces as in
   * "Talk to it: nc localhost 7007") keeps its layout.
   */
  private static void paragraphs(Roff r, List<String> lines) {
    boolean first = true;
    boolean noFill = false;
    for (String line : lines) {
      if (line.isBlank()) {
        if (noFill) {
          r.request(".fi");
          noFill = false;
        }
        continue;
      }
      boolean columns = line.startsWith(" ") || TWO_SPACES.matcher(line).find();
      if (columns && noFill) {
        r.text(escape(line.stripTrailing()));
        continue;
      }
      if (noFill) {
        r.request(".fi");
        noFill = false;
      }
      if (!first) {
        r.request(".PP");
      }
      if (columns) {
        r.request(".nf");
        noFill = true;
      }
      r.text(escape(columns ? line.stripTrailing() : line.strip()));
      first = false;
    }
    if (noFill) {
      r.request(".fi");
    }
  }

  private static void verbatim(Roff r, List<String> lines) {
    r.request(".nf");
    r.request(".RS 4");
    lines.forEach(l -> r.text(escape(l.stripTrailing())));
    r.request(".RE");
    r.request(".fi");
  }

  private static void exitStatus(Roff r, List<String> specific) {
    String[][] codes = {
      {"" + Cli.EXIT_OK, "Normal exit, including a graceful stop after SIGINT or SIGTERM."},
      {"" + Cli.EXIT_FAILURE, "Runtime failure: the command started but could not do its job."},
      {"" + Cli.EXIT_USAGE, "Usage error: unknown option, bad value, missing argument."},
    };
    for (String[] code : codes) {
      r.request(".TP");
      r.text("\\fB" + code[0] + "\\fR");
      r.text(escape(code[1]));
    }
    if (!specific.isEmpty()) {
      r.request(".PP");
      specific = new ArrayList<>(specific);
      specific.set(0, "In particular: " + specific.get(0));
      paragraphs(r, specific);
    }
  }

  /** socklab(1) names every page; the others their root, their parent and their subcommands. */
  private static List<String> seeAlso(CommandSpec spec) {
    CommandSpec root = spec;
    while (root.parent() != null) {
      root = root.parent();
    }
    List<CommandSpec> related = new ArrayList<>();
    if (spec == root) {
      related.addAll(tree(root).subList(1, tree(root).size()));
    } else {
      related.add(root);
      if (spec.parent() != root) {
        related.add(spec.parent());
      }
      related.addAll(children(spec));
    }
    return related.stream().map(s -> "\\fB" + escape(pageName(s)) + "\\fR(1)").toList();
  }

  /** A command and all its subcommands, depth first, each once (aliases are the same spec). */
  static List<CommandSpec> tree(CommandSpec root) {
    List<CommandSpec> all = new ArrayList<>();
    all.add(root);
    for (CommandSpec child : children(root)) {
      all.addAll(tree(child));
    }
    return all;
  }

  private static List<CommandSpec> children(CommandSpec spec) {
    Set<CommandSpec> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<CommandSpec> children = new ArrayList<>();
    for (CommandLine sub : spec.subcommands().values()) {
      CommandSpec s = sub.getCommandSpec();
      if (!s.usageMessage().hidden() && seen.add(s)) {
        children.add(s);
      }
    }
    return children;
  }

  /**
   * Escapes text for roff: backslashes, dashes (so that {@code --port} copies as typed), a leading
   * dot or quote (which would start a request), and anything beyond ASCII as a groff Unicode
   * escape, so that the page reads the same whatever the locale.
   *
   * @param text plain text
   * @return roff text
   */
  public static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length() + 16);
    text.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '\\' -> b.append("\\e");
                case '-' -> b.append("\\-");
                default -> {
                  if (c < 0x80) {
                    b.appendCodePoint(c);
                  } else {
                    b.append(String.format("\\[u%04X]", c));
                  }
                }
              }
            });
    if (!b.isEmpty() && (b.charAt(0) == '.' || b.charAt(0) == '\'')) {
      b.insert(0, "\\&");
    }
    return b.toString();
  }

  private static String quote(String arg) {
    return "\"" + escape(arg).replace("\"", "\\(dq") + "\"";
  }

  /** picocli's text lines, split where a line itself holds newlines. */
  private static List<String> lines(String[] text) {
    return java.util.Arrays.stream(text).flatMap(t -> formatted(t).lines()).toList();
  }

  // As --help shows a command's text: picocli formats it (%% is a percent sign, %n a line break),
  // and shows it raw if it does not format.
  private static String formatted(String text) {
    try {
      return String.format(java.util.Locale.ROOT, text);
    } catch (java.util.IllegalFormatException e) {
      return text;
    }
  }

  /**
   * A command's footer, sorted into man sections by the headings its lines start with: {@code
   * Examples:} (and the indented lines after it), {@code Environment:}, {@code Exit codes:}; any
   * other line is a note.
   */
  private record Footer(
      List<String> examples, List<String> environment, List<String> exitCodes, List<String> notes) {
    static Footer of(List<String> lines) {
      Footer f =
          new Footer(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      List<String> current = f.notes;
      int exampleColumn = -1; // where the examples' text starts, under the heading or after it
      for (String line : lines) {
        if (line.isBlank()) {
          current = f.notes;
          continue;
        }
        if (line.startsWith("Examples:") || line.startsWith("Example:")) {
          current = f.examples;
          String rest = line.substring(line.indexOf(':') + 1);
          exampleColumn = rest.isBlank() ? -1 : line.length() - rest.stripLeading().length();
        } else if (line.startsWith("Environment:")) {
          current = f.environment;
        } else if (line.startsWith("Exit codes:")) {
          current = f.exitCodes;
        } else if (!line.startsWith(" ")) {
          current = f.notes;
        }
        if (current != f.notes && !line.startsWith(" ")) {
          // The heading is the section's title now.
          line = line.substring(line.indexOf(':') + 1).strip();
        } else if (current == f.examples) {
          // Less the examples' own indent: a continuation line keeps what it has beyond it.
          int indent = line.length() - line.stripLeading().length();
          if (exampleColumn < 0) {
            exampleColumn = indent;
          }
          line = line.substring(Math.min(indent, exampleColumn)).stripTrailing();
        }
        if (!line.isBlank()) {
          current.add(line);
        }
      }
      return f;
    }
  }

  /** Builds roff source: requests on lines of their own, text lines never starting a request. */
  private static final class Roff {
    private final StringBuilder out = new StringBuilder();

    void request(String line) {
      out.append(line).append('\n');
    }

    void section(String name) {
      request(".SH " + quote(name));
    }

    void text(String line) {
      if (line.startsWith(".") || line.startsWith("'")) {
        out.append("\\&");
      }
      out.append(line).append('\n');
    }

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
