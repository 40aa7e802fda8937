package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The roff emitter, on socklab's own model: one page per command, with what --help says. */
class ManPagesTest {
  private final CommandLine socklab = SocklabCommand.commandLine();
  private final Map<String, String> pages = ManPages.all(socklab, "1.2.3");

  @Test
  void onePagePerCommandAndSubcommandNamedGitStyle() {
    assertThat(pages.keySet())
        .startsWith("socklab.1")
        .contains(
            "socklab-echo-server.1",
            "socklab-chat-server.1",
            "socklab-udp-broadcast.1",
            "socklab-uds-server.1",
            "socklab-echo-client.1",
            "socklab-chat-client.1",
            "socklab-udp-client.1",
            "socklab-udp-client-send.1",
            "socklab-udp-client-listen.1",
            "socklab-udp-client-discover.1",
            "socklab-uds-client.1",
            "socklab-resolve.1",
            "socklab-sockopt.1",
            "socklab-completion.1",
            "socklab-man.1")
        .hasSize(ManPages.tree(socklab.getCommandSpec()).size());
  }

  @Test
  void everyPageHasTheManSectionsAndEveryOptionOfItsCommand() {
    for (CommandSpec spec : ManPages.tree(socklab.getCommandSpec())) {
      String page = pages.get(ManPages.pageName(spec) + ".1");
      assertThat(page)
          .as(spec.qualifiedName())
          .startsWith(".TH \"" + ManPages.escape(ManPages.pageName(spec).toUpperCase()) + "\" 1")
          .contains(".SH \"NAME\"\n" + ManPages.escape(ManPages.pageName(spec)) + " \\- ")
          .contains(".SH \"SYNOPSIS\"", ".SH \"DESCRIPTION\"", ".SH \"EXIT STATUS\"")
          .contains("socklab 1.2.3");
      for (OptionSpec o : spec.options()) {
        assertThat(page).as(spec.qualifiedName()).contains("\\fB" + ManPages.escape(shown(o)));
      }
    }
  }

  /**
   * An option's longest name as --help shows it: {@code --[no-]nodelay} for a negatable one.
   *
   * @param o an option
   * @return its name as the page prints it
   */
  static String shown(OptionSpec o) {
    String name = o.longestName();
    return o.negatable() && name.startsWith("--") ? "--[no-]" + name.substring(2) : name;
  }

  @Test
  void descriptionsAreInterpolatedAsInHelp() {
    String page = pages.get("socklab-echo-server.1");
    assertThat(page)
        .contains("\\fB\\-p\\fR, \\fB\\-\\-port\\fR \\fIPORT\\fR")
        .contains("(default: 7007)")
        .contains("\\fB\\-\\-[no\\-]nodelay\\fR")
        .doesNotContain("${DEFAULT-VALUE}");
  }

  @Test
  void percentSignsAreFormattedAsInHelp() {
    // bench udp's description says "(default 1%%)": --help prints one percent sign, so must man.
    String page = pages.get("socklab-bench-udp.1");
    assertThat(page).contains("(default 1%)").doesNotContain("%%");
  }

  @Test
  void layoutInColumnsStaysAndExamplesGetTheirSection() {
    String page = pages.get("socklab-echo-client.1");
    assertThat(page).contains(".SH \"EXAMPLES\"\n.nf\n");
    assertThat(pages.get("socklab-echo-server.1")).contains(".nf\nTalk to it:  nc localhost 7007");
  }

  @Test
  void anExampleContinuedOnTheNextLineKeepsItsIndentThere() {
    assertThat(pages.get("socklab-bench-start.1"))
        .contains(" \\e\n    uds='./socklab uds\\-server \\-\\-path /tmp/b.sock'\n");
    // Examples that start on the heading's line ("Examples:  ...") line up at its column.
    assertThat(pages.get("socklab.1"))
        .contains("\nsocklab echo\\-server \\-\\-port 0 \\-\\-trace\n");
  }

  @Test
  void theTopPageListsEveryCommand() {
    String page = pages.get("socklab.1");
    for (String name : socklab.getSubcommands().keySet()) {
      assertThat(page).contains(".TP\n\\fB" + ManPages.escape(name) + "\\fR\n");
    }
    assertThat(page).contains(".SH \"ENVIRONMENT\"", "JAVA_HOME");
  }

  @Test
  void summaryIsTheFirstClauseInLowerCaseUnlessAnAcronym() {
    CommandLine c = socklab.getSubcommands().get("echo-server");
    assertThat(ManPages.summary(c.getCommandSpec()))
        .isEqualTo("thread-per-client TCP echo server (RFC 862)");
    assertThat(ManPages.summary(new CommandLine(new Udp()).getCommandSpec()))
        .isEqualTo("UDP things");
  }

  @CommandLine.Command(name = "x", description = "UDP things: more.")
  static final class Udp {}

  @Test
  void escapesWhatRoffWouldReadAsMarkup() {
    assertThat(ManPages.escape("--port")).isEqualTo("\\-\\-port");
    assertThat(ManPages.escape("a\\b")).isEqualTo("a\\eb");
    assertThat(ManPages.escape(".hidden")).isEqualTo("\\&.hidden");
    assertThat(ManPages.escape("'quote")).isEqualTo("\\&'quote");
    assertThat(ManPages.escape("a — b 민")).isEqualTo("a \\[u2014] b \\[uBBFC]");
  }

  @Test
  void noTextLineStartsARequestByAccident() {
    pages.forEach(
        (name, page) ->
            page.lines()
                .filter(l -> l.startsWith(".") || l.startsWith("'"))
                .forEach(
                    l ->
                        assertThat(l)
                            .as(name)
                            .matches("\\.(TH|SH|PP|TP|nf|fi|RS 4|RE|nh|ad l) ?.*")));
  }
}
