package dev.socklab.check;

import static dev.socklab.common.JsonText.quote;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The report formats: a line per case for people, and JSON, JUnit XML (what CI systems and
 * autograders read) or TAP for programs.
 */
enum Report {
  /** One line per case, then {@code N passed, N failed, N skipped}. */
  TEXT,
  /** One JSON object: the target, the totals and every case. */
  JSON,
  /** A JUnit XML {@code <testsuite>}: each case a {@code <testcase>}. */
  JUNIT,
  /** Test Anything Protocol, version 13. */
  TAP;

  /**
   * @param r a case's result
   * @param verbose add the transcript of a failing case
   * @return its line(s) in the text report, e.g. {@code PASS basic (3 ms)}
   */
  static String line(Runner.Result r, boolean verbose) {
    Outcome o = r.outcome();
    String name = r.checkCase().name();
    String took = " (" + Probe.seconds(r.took()) + ")";
    String line =
        switch (o.status()) {
          case PASS -> "PASS " + name + took + (o.detail().isEmpty() ? "" : ": " + o.detail());
          case SKIP -> "SKIP " + name + ": " + o.detail();
          case WARN -> "WARN " + name + took + ": " + o.detail();
          case FAIL ->
              "FAIL "
                  + name
                  + took
                  + ": expected "
                  + o.expected()
                  + "; seen: "
                  + o.seen()
                  + (o.hint().isEmpty() ? "" : " — likely bug: " + o.hint());
        };
    if (verbose && !r.transcript().isEmpty()) {
      line += "\n    " + String.join("\n    ", r.transcript());
    }
    return line;
  }

  /**
   * @param results every result
   * @return {@code N passed, N failed, N skipped} (a warning counts as passed)
   */
  static String summary(List<Runner.Result> results) {
    return count(results, Outcome.Status.PASS)
        + count(results, Outcome.Status.WARN)
        + " passed, "
        + count(results, Outcome.Status.FAIL)
        + " failed, "
        + count(results, Outcome.Status.SKIP)
        + " skipped";
  }

  static long count(List<Runner.Result> results, Outcome.Status status) {
    return results.stream().filter(r -> r.outcome().status() == status).count();
  }

  /**
   * The whole report in this format (not for {@link #TEXT}, which is printed as cases end).
   *
   * @param kind the kind checked
   * @param target what was checked
   * @param results every result
   * @return the document
   */
  String document(Kind kind, String target, List<Runner.Result> results) {
    return switch (this) {
      case TEXT ->
          String.join("\n", results.stream().map(r -> line(r, true)).toList())
              + "\n"
              + summary(results)
              + "\n";
      case JSON -> json(kind, target, results);
      case JUNIT -> junit(kind, target, results);
      case TAP -> tap(results);
    };
  }

  private static String json(Kind kind, String target, List<Runner.Result> results) {
    StringBuilder b = new StringBuilder();
    b.append("{\"kind\":")
        .append(quote(kind.toString()))
        .append(",\"target\":")
        .append(quote(target));
    b.append(",\"passed\":")
        .append(count(results, Outcome.Status.PASS) + count(results, Outcome.Status.WARN));
    b.append(",\"failed\":").append(count(results, Outcome.Status.FAIL));
    b.append(",\"skipped\":").append(count(results, Outcome.Status.SKIP));
    b.append(",\"cases\":[");
    for (int i = 0; i < results.size(); i++) {
      Runner.Result r = results.get(i);
      Outcome o = r.outcome();
      b.append(i == 0 ? "" : ",").append("{\"name\":").append(quote(r.checkCase().name()));
      b.append(",\"status\":").append(quote(o.status().name()));
      b.append(",\"millis\":").append(r.took().toMillis());
      b.append(",\"detail\":").append(quote(o.detail()));
      b.append(",\"expected\":").append(quote(o.expected()));
      b.append(",\"seen\":").append(quote(o.seen()));
      b.append(",\"hint\":").append(quote(o.hint()));
      b.append(",\"topic\":").append(quote(r.checkCase().topic()));
      b.append(",\"transcript\":[");
      for (int j = 0; j < r.transcript().size(); j++) {
        b.append(j == 0 ? "" : ",").append(quote(r.transcript().get(j)));
      }
      b.append("]}");
    }
    return b.append("]}\n").toString();
  }

  private static String junit(Kind kind, String target, List<Runner.Result> results) {
    StringWriter out = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", "socklab check " + kind + " " + target);
      x.writeAttribute("tests", Integer.toString(results.size()));
      x.writeAttribute("failures", Long.toString(count(results, Outcome.Status.FAIL)));
      x.writeAttribute("skipped", Long.toString(count(results, Outcome.Status.SKIP)));
      x.writeAttribute("errors", "0");
      double total = results.stream().mapToLong(r -> r.took().toMillis()).sum() / 1000.0;
      x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", total));
      for (Runner.Result r : results) {
        x.writeCharacters("\n  ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", "socklab.check." + kind);
        x.writeAttribute("name", r.checkCase().name());
        x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", r.took().toMillis() / 1000.0));
        Outcome o = r.outcome();
        switch (o.status()) {
          case FAIL -> {
            x.writeStartElement("failure");
            x.writeAttribute("message", o.seen());
            x.writeCharacters(
                "expected: "
                    + o.expected()
                    + "\nseen: "
                    + o.seen()
                    + "\nlikely bug: "
                    + o.hint()
                    + (r.transcript().isEmpty() ? "" : "\n" + String.join("\n", r.transcript())));
            x.writeEndElement();
          }
          case SKIP -> {
            x.writeEmptyElement("skipped");
            x.writeAttribute("message", o.detail());
          }
          case WARN -> {
            x.writeStartElement("system-out");
            x.writeCharacters("WARN: " + o.detail());
            x.writeEndElement();
          }
          case PASS -> {}
        }
        x.writeEndElement();
      }
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new UncheckedIOException(new IOException(e));
    }
    return out + "\n";
  }

  private static String tap(List<Runner.Result> results) {
    StringBuilder b = new StringBuilder("TAP version 13\n1..").append(results.size()).append('\n');
    for (int i = 0; i < results.size(); i++) {
      Runner.Result r = results.get(i);
      Outcome o = r.outcome();
      String n = (i + 1) + " - " + r.checkCase().name();
      switch (o.status()) {
        case PASS -> b.append("ok ").append(n).append('\n');
        case WARN -> b.append("ok ").append(n).append(" # WARN ").append(o.detail()).append('\n');
        case SKIP -> b.append("ok ").append(n).append(" # SKIP ").append(o.detail()).append('\n');
        case FAIL -> {
          b.append("not ok ").append(n).append('\n').append("  ---\n");
          b.append("  expected: ").append(yaml(o.expected())).append('\n');
          b.append("  seen: ").append(yaml(o.seen())).append('\n');
          b.append("  hint: ").append(yaml(o.hint())).append('\n').append("  ...\n");
        }
      }
    }
    return b.toString();
  }

  // A YAML scalar on one line: a double-quoted string, escaped as JSON (YAML accepts it).
  private static String yaml(String s) {
    return quote(s);
  }
}
