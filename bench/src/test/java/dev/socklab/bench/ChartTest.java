package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

class ChartTest {
  @TempDir Path dir;

  @Test
  void aSweepIsAPngOfExactlyTheAskedSize() throws IOException {
    BufferedImage image = png(Fixtures.sweep(), "conns", 1200, 900);
    assertThat(image.getWidth()).isEqualTo(1200);
    assertThat(image.getHeight()).isEqualTo(900);
    assertThat(colours(image)).as("more than a blank page").isGreaterThan(10);
  }

  @Test
  void withoutASweepItIsBarsOfAnyOddSize() throws IOException {
    BufferedImage image = png(Fixtures.single(), null, 641, 487);
    assertThat(image.getWidth()).isEqualTo(641);
    assertThat(image.getHeight()).isEqualTo(487);
    assertThat(colours(image)).isGreaterThan(10);
  }

  @Test
  void everyTargetFailedIsStillAnImage() throws IOException {
    BufferedImage image = png(List.of(Fixtures.failed(Fixtures.A, null)), null, 400, 300);
    assertThat(image.getWidth()).isEqualTo(400);
    assertThat(image.getHeight()).isEqualTo(300);
  }

  @Test
  void anSvgIsWellFormedXmlOfTheAskedSize() throws Exception {
    Path file = dir.resolve("chart.svg");
    Chart.write(file, Fixtures.sweep(), "conns", 1000, 750);
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    // Its DOCTYPE names the SVG 1.1 DTD on w3.org: not fetched, tests run offline.
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Element svg = f.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    assertThat(svg.getTagName()).isEqualTo("svg");
    assertThat(svg.getAttribute("width")).isIn("1000", "1000px");
    assertThat(svg.getAttribute("height")).isIn("750", "750px");
    // XChart draws text as glyph outlines: paths, not <text>.
    assertThat(svg.getElementsByTagName("path").getLength()).isGreaterThan(10);
  }

  private BufferedImage png(List<Row> rows, String sweep, int width, int height)
      throws IOException {
    Path file = dir.resolve("chart.png");
    Chart.write(file, rows, sweep, width, height);
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image).as("a PNG ImageIO decodes").isNotNull();
    return image;
  }

  private static long colours(BufferedImage image) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        seen.add(image.getRGB(x, y));
      }
    }
    return seen.size();
  }
}
