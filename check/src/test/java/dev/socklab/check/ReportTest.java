package dev.socklab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The report formats: the text lines people read and the documents programs read. */
class ReportTest {
  private static CheckCase named(String name) {
    return new CheckCase(
        name, Kind.ECHO, false, "proves", "the hint", "topic", p -> Outcome.pass());
  }

  private static final List<Runner.Result> RESULTS =
      List.of(
          new Runner.Result(named("basic"), Outcome.pass(), Duration.ofMillis(3), List.of()),
          new Runner.Result(
              named("concurrent-clients"),
              Outcome.fail(
                  "client 2's echo while client 1 stays connected",
                  "client 2 got no echo within 5.0 s",
                  "the server serves one client at a time <&\"quoted\">"),
              Duration.ofMillis(5012),
              List.of("client 2 sent 4 bytes  61 62 63 0a  |abc.|")),
          new Runner.Result(
              named("peer-reset"), Outcome.skip("AF_UNIX has no RST"), Duration.ZERO, List.of()),
          new Runner.Result(
              named("socket-file-removed"),
              Outcome.warn("the socket file stays"),
              Duration.ofMillis(40),
              List.of()));

  @Test
  void textLinesSayNameVerdictTimeAndOnFailureTheLikelyBug() {
    assertThat(Report.line(RESULTS.get(0), false)).isEqualTo("PASS basic (3 ms)");
    assertThat(Report.line(RESULTS.get(1), false))
        .isEqualTo(
            "FAIL concurrent-clients (5.012 s): expected client 2's echo while client 1 stays"
                + " connected; seen: client 2 got no echo within 5.0 s — likely bug: the server"
                + " serves one client at a time <&\"quoted\">");
    assertThat(Report.line(RESULTS.get(1), true))
        .endsWith("\n    client 2 sent 4 bytes  61 62 63 0a  |abc.|");
    assertThat(Report.line(RESULTS.get(2), false)).isEqualTo("SKIP peer-reset: AF_UNIX has no RST");
    assertThat(Report.summary(RESULTS)).isEqualTo("2 passed, 1 failed, 1 skipped");
  }

  @Test
  void junitXmlIsWellFormedWithOneTestcasePerCase() throws Exception {
    String xml = Report.JUNIT.document(Kind.ECHO, "localhost:9000", RESULTS);
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    Element suite = doc.getDocumentElement();
    assertThat(suite.getTagName()).isEqualTo("testsuite");
    assertThat(suite.getAttribute("tests")).isEqualTo("4");
    assertThat(suite.getAttribute("failures")).isEqualTo("1");
    assertThat(suite.getAttribute("skipped")).isEqualTo("1");
    assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(4);
    Element failure = (Element) doc.getElementsByTagName("failure").item(0);
    assertThat(failure.getTextContent()).contains("likely bug: the server serves one client");
  }

  @Test
  void jsonEscapesQuotesAndCarriesEveryCase() {
    String json = Report.JSON.document(Kind.ECHO, "localhost:9000", RESULTS);
    assertThat(json)
        .startsWith("{\"kind\":\"echo\",\"target\":\"localhost:9000\",\"passed\":2,\"failed\":1,")
        .contains("\"name\":\"concurrent-clients\",\"status\":\"FAIL\",\"millis\":5012")
        .contains("one client at a time <&\\\"quoted\\\">")
        .contains("\"status\":\"SKIP\"");
  }

  @Test
  void tapHasAPlanAndMarksSkipsAndFailures() {
    assertThat(Report.TAP.document(Kind.ECHO, "x", RESULTS).lines().toList())
        .startsWith("TAP version 13", "1..4", "ok 1 - basic", "not ok 2 - concurrent-clients")
        .contains("ok 3 - peer-reset # SKIP AF_UNIX has no RST");
  }
}
