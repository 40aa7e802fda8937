package dev.socklab.bench;

import static dev.socklab.bench.JsonParser.arr;
import static dev.socklab.bench.JsonParser.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.common.testing.CommandRun;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputsEndToEndTest {
  @TempDir Path dir;

  @Test
  void benchEchoWritesCsvJsonAndChartOfASweep() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofPlatform().daemon().start(() -> serve(server));
      Path csv = dir.resolve("r.csv");
      Path json = dir.resolve("r.json");
      Path chart = dir.resolve("r.png");
      CommandRun.Result r =
          CommandRun.run(
              new BenchCommand(),
              "echo",
              "plain=127.0.0.1:" + server.getLocalPort(),
              "--duration",
              "600ms",
              "--rounds",
              "1",
              "--warmup",
              "0",
              "--sweep",
              "conns=1,4",
              "--csv",
              csv.toString(),
              "--json",
              json.toString(),
              "--chart",
              chart.toString(),
              "--chart-size",
              "800x600");
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(CsvTest.parse(Files.readString(csv))).hasSize(3);
      List<Object> results = arr(obj(JsonParser.parse(Files.readString(json))).get("results"));
      assertThat(results).hasSize(2);
      assertThat(obj(results.get(1))).containsEntry("ok", true);
      BufferedImage image = ImageIO.read(chart.toFile());
      assertThat(image.getWidth()).isEqualTo(800);
      assertThat(image.getHeight()).isEqualTo(600);
    }
  }

  // A plain blocking echo server: a thread per connection copies what it reads back.
  private static void serve(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (s;
                      InputStream in = s.getInputStream();
                      OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
                  } catch (IOException e) {
                    // the client closed
                  }
                });
      } catch (IOException e) {
        return; // closed at the end of the test
      }
    }
  }
}
