package dev.socklab.bench;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws results with XChart: one image of exactly the asked size in pixels, holding panels stacked
 * on the same x axis: throughput (operations/s) per target; latency p50 and p99 per target in µs on
 * a log axis (p50 dashed and lighter, each target one colour in every panel); and the server's
 * largest RSS in MiB when {@code --server-pid} sampled it.
 *
 * <p>With {@code --sweep} the x axis is the swept value (logarithmic when the values span 100x or
 * more, e.g. conns 1..10000), a marker at each point; without, each panel is a bar chart, one bar
 * per target. Failed rows are left out (the top title names them): a server that changes or loses
 * data has no throughput to draw.
 *
 * <p>PNG through the JDK's ImageIO, SVG through VectorGraphics2D (XChart's own SVG writer): the
 * same panels painted onto one canvas. AWT runs headless: no display is needed.
 */
final class Chart {
  // (XChart's own chart class has this class's name: it is written out in full below.)
  // Okabe and Ito's palette: told apart by colour-blind readers too, and legible on white.
  private static final Color[] COLORS = {
    new Color(0x0072B2),
    new Color(0xD55E00),
    new Color(0x009E73),
    new Color(0xCC79A7),
    new Color(0xE69F00),
    new Color(0x56B4E9),
    new Color(0x000000),
  };
  private static final BasicStroke DASHED =
      new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0);
  private static final BasicStroke SOLID = new BasicStroke(2f);

  private Chart() {}

  /**
   * Writes the chart atomically (a temporary file moved into place).
   *
   * @param file a .png or .svg (RunOptions has checked the name)
   * @param rows the results, in run order
   * @param sweepParameter the swept parameter, or null
   * @param width pixels
   * @param height pixels
   * @throws dev.socklab.common.UserError if the file cannot be written (one line, exit 1)
   */
  static void write(Path file, List<Row> rows, String sweepParameter, int width, int height) {
    // Before any AWT class loads: no X display is needed, or looked for.
    System.setProperty("java.awt.headless", "true");
    List<org.knowm.xchart.internal.chartpart.Chart<?, ?>> panels =
        panels(rows, sweepParameter, width);
    boolean svg = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg");
    Outputs.write(
        file,
        "--chart",
        out -> {
          if (svg) {
            VectorGraphics2D g = new VectorGraphics2D();
            paint(g, panels, rows, width, height);
            new SVGProcessor()
                .getDocument(g.getCommands(), new PageSize(0, 0, width, height))
                .writeTo(out);
          } else {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            paint(g, panels, rows, width, height);
            g.dispose();
            ImageIO.write(image, "png", out);
          }
        });
  }

  // Each panel into its horizontal slice; the last takes the pixels the division leaves.
  private static void paint(
      Graphics2D g,
      List<org.knowm.xchart.internal.chartpart.Chart<?, ?>> panels,
      List<Row> rows,
      int width,
      int height) {
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    if (panels.isEmpty()) {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
      g.drawString(title(rows, null) + ": every target failed, nothing to draw", 20, 40);
      return;
    }
    int slice = height / panels.size();
    int[] heights = new int[panels.size()];
    double[] left = new double[panels.size()];
    // A dry run finds where each plot starts (after its y labels, which differ in width); each
    // panel is then shifted right to start where the widest one does, so the x axes line up.
    Graphics2D dry = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    for (int i = 0; i < panels.size(); i++) {
      heights[i] = i == panels.size() - 1 ? height - slice * i : slice;
      panels.get(i).paint(dry, width, heights[i]);
      left[i] = panels.get(i).getYAxisLeftWidth();
    }
    dry.dispose();
    double widest = java.util.Arrays.stream(left).max().orElse(0);
    for (int i = 0; i < panels.size(); i++) {
      int shift = (int) Math.round(widest - left[i]);
      AffineTransform t = g.getTransform();
      Shape clip = g.getClip();
      g.translate(shift, slice * i);
      g.clipRect(0, 0, width - shift, heights[i]);
      panels.get(i).paint(g, width - shift, heights[i]);
      g.setTransform(t);
      g.setClip(clip);
    }
  }

  // Throughput, latency, and server RSS when sampled; none if no row is a result.
  private static List<org.knowm.xchart.internal.chartpart.Chart<?, ?>> panels(
      List<Row> rows, String sweepParameter, int width) {
    List<Row> ok = rows.stream().filter(Row::ok).toList();
    if (ok.isEmpty()) {
      return List.of();
    }
    Map<String, Color> colors = new LinkedHashMap<>();
    for (Row r : rows) {
      colors.putIfAbsent(r.target().name(), COLORS[colors.size() % COLORS.length]);
    }
    String unit = ok.get(0).unit();
    boolean sweep = sweepParameter != null && ok.get(0).sweepValue() != null;
    List<org.knowm.xchart.internal.chartpart.Chart<?, ?>> panels = new ArrayList<>();
    List<Metric> throughput = List.of(new Metric("", Row::throughput, false));
    List<Metric> latency =
        List.of(
            new Metric("p50", r -> Math.max(r.percentile(50) / 1e3, 1e-3), true),
            new Metric("p99", r -> Math.max(r.percentile(99) / 1e3, 1e-3), false));
    String title = title(rows, sweepParameter);
    long[] range = sweep ? range(rows) : null;
    String left = failedNote(rows, sweepParameter);
    panels.add(
        sweep
            ? xy(ok, range, colors, sweepParameter, throughput, title + left, unit, false)
            : bars(ok, colors, List.of(unit), throughput, title + left, unit));
    String latencyTitle = "latency p50 (dashed) and p99 (solid), µs";
    panels.add(
        sweep
            ? xy(ok, range, colors, sweepParameter, latency, latencyTitle, "µs", true)
            : bars(ok, colors, List.of("p50", "p99"), latency, "latency, µs", "µs"));
    if (ok.stream().anyMatch(r -> r.serverRss() >= 0)) {
      List<Row> sampled = ok.stream().filter(r -> r.serverRss() >= 0).toList();
      List<Metric> rss = List.of(new Metric("", r -> r.serverRss() / 1048576.0, false));
      panels.add(
          sweep
              ? xy(sampled, range, colors, sweepParameter, rss, "server RSS, MiB", "MiB", false)
              : bars(sampled, colors, List.of("server RSS"), rss, "server RSS, MiB", "MiB"));
    }
    for (org.knowm.xchart.internal.chartpart.Chart<?, ?> c : panels) {
      style((AxesChartStyler) c.getStyler(), width);
    }
    return panels;
  }

  /** One line per target in a panel: a name suffix, how to read it from a row, and its look. */
  private record Metric(String suffix, ToDoubleFunction<Row> value, boolean lighter) {}

  private static XYChart xy(
      List<Row> rows,
      long[] range,
      Map<String, Color> colors,
      String parameter,
      List<Metric> metrics,
      String title,
      String yTitle,
      boolean logY) {
    XYChart chart =
        new XYChartBuilder().title(title).xAxisTitle(parameter).yAxisTitle(yTitle).build();
    chart.getStyler().setXAxisLogarithmic(range[0] > 0 && range[1] >= 100 * range[0]);
    // The same x range in every panel, whichever targets each one shows.
    chart.getStyler().setXAxisMin((double) range[0]);
    chart.getStyler().setXAxisMax((double) range[1]);
    // Inside, top left (where rising curves are low): an outside legend's width would shift
    // each panel's plot differently, and the x axes would no longer line up.
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setMarkerSize(7);
    for (Map.Entry<String, Color> target : colors.entrySet()) {
      List<Row> mine =
          rows.stream().filter(r -> r.target().name().equals(target.getKey())).toList();
      if (mine.isEmpty()) {
        continue;
      }
      for (Metric m : metrics) {
        XYSeries s =
            chart.addSeries(
                name(target.getKey(), m),
                mine.stream().map(r -> (double) r.sweepValue()).toList(),
                mine.stream().map(r -> m.value().applyAsDouble(r)).toList());
        Color c = m.lighter() ? lighter(target.getValue()) : target.getValue();
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(m.lighter() ? DASHED : SOLID);
      }
    }
    return chart;
  }

  private static CategoryChart bars(
      List<Row> rows,
      Map<String, Color> colors,
      List<String> categories,
      List<Metric> metrics,
      String title,
      String yTitle) {
    // Linear: XChart draws no bars on a log axis, and each bar carries its value.
    CategoryChart chart = new CategoryChartBuilder().title(title).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsPosition(1.0);
    for (Row r : rows) {
      CategorySeries s =
          chart.addSeries(
              r.target().name(),
              categories,
              metrics.stream().map(m -> m.value().applyAsDouble(r)).toList());
      s.setFillColor(colors.get(r.target().name()));
    }
    return chart;
  }

  private static void style(AxesChartStyler s, int width) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setChartTitleBoxVisible(false);
    s.setLegendBorderColor(Color.WHITE);
    s.setPlotGridLinesColor(new Color(0xDDDDDD));
    s.setChartPadding(8);
    float base = width < 700 ? 10f : 12f;
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) base + 2));
    s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) base));
    s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) base - 1));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) base));
    // Plain numbers with thousands separators: XChart's default turns 10000 into 1E4.
    s.setYAxisDecimalPattern("#,##0.###");
    s.setXAxisDecimalPattern("#,##0.###");
  }

  // The smallest and largest sweep value.
  private static long[] range(List<Row> rows) {
    return new long[] {
      rows.stream().mapToLong(Row::sweepValue).min().orElse(1),
      rows.stream().mapToLong(Row::sweepValue).max().orElse(1)
    };
  }

  // The workload in the top title, the swept parameter's value replaced by its range.
  private static String title(List<Row> rows, String sweepParameter) {
    String load = rows.isEmpty() ? "" : rows.get(0).load();
    if (sweepParameter != null && !rows.isEmpty() && rows.get(0).sweepValue() != null) {
      long min = range(rows)[0];
      long max = range(rows)[1];
      load =
          load.replaceAll(
              "\\b" + Pattern.quote(sweepParameter) + "=\\S+",
              sweepParameter + "=" + (min == max ? "" + min : min + ".." + max));
    }
    return "bench " + load + ": throughput, " + (rows.isEmpty() ? "" : rows.get(0).unit());
  }

  // "(left out, failed: b at conns=100)" when a row failed; empty otherwise.
  private static String failedNote(List<Row> rows, String sweepParameter) {
    List<String> failed = new ArrayList<>();
    for (Row r : rows) {
      if (!r.ok()) {
        failed.add(
            r.target().name()
                + (r.sweepValue() == null ? "" : " at " + sweepParameter + "=" + r.sweepValue()));
      }
    }
    return failed.isEmpty() ? "" : " (left out, failed: " + String.join(", ", failed) + ")";
  }

  private static String name(String target, Metric m) {
    return m.suffix().isEmpty() ? target : target + " " + m.suffix();
  }

  // Halfway to white: the p50 line, so that p99 stands out.
  private static Color lighter(Color c) {
    return new Color(
        (c.getRed() + 255) / 2, (c.getGreen() + 255) / 2, (c.getBlue() + 255) / 2, c.getAlpha());
  }
}
