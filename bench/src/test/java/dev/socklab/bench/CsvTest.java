package dev.socklab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socklab.common.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  @TempDir Path dir;

  @Test
  void writesAHeaderAndOneRecordPerRowWithTheFailureQuoted() throws IOException {
    Path file = dir.resolve("out.csv");
    Csv.write(file, Fixtures.sweep(), "conns");
    String text = Files.readString(file);
    assertThat(text).endsWith("\r\n");
    List<List<String>> records = parse(text);
    assertThat(records).hasSize(1 + 6);
    assertThat(records.get(0)).isEqualTo(Csv.HEADER);
    for (List<String> r : records) {
      assertThat(r).hasSize(Csv.HEADER.size());
    }
    List<String> a1 = records.get(1);
    assertThat(field(a1, "target")).isEqualTo("a");
    assertThat(field(a1, "address")).isEqualTo("127.0.0.1:7007");
    assertThat(field(a1, "sweep_parameter")).isEqualTo("conns");
    assertThat(field(a1, "sweep_value")).isEqualTo("1");
    assertThat(field(a1, "throughput")).isEqualTo("10500");
    assertThat(field(a1, "ratio")).isEqualTo("1");
    assertThat(field(a1, "rounds")).isEqualTo("3");
    assertThat(field(a1, "round_throughputs")).isEqualTo("10000;11000;10500");
    assertThat(Double.parseDouble(field(a1, "p50_us"))).isBetween(500.0, 503.0);
    assertThat(Double.parseDouble(field(a1, "max_us"))).isBetween(2000.0, 2003.0);
    assertThat(field(a1, "server_max_rss_bytes")).isEqualTo(Long.toString(40L << 20));
    assertThat(field(a1, "server_cpu")).isEqualTo("0.85");
    assertThat(field(a1, "warnings")).contains("noisy");
    assertThat(field(records.get(2), "address")).isEqualTo("unix:/tmp/echo.sock");
    assertThat(field(records.get(2), "ratio")).isEqualTo("1.9048");
    assertThat(field(records.get(2), "server_cpu")).isEmpty();

    List<String> failed = records.get(6);
    assertThat(field(failed, "failure")).isEqualTo(Fixtures.FAILURE);
    assertThat(text).contains("\"1 mismatched, first: got \"\"xy\"\" at byte 3\"");
    for (String empty :
        List.of("throughput", "ratio", "round_throughputs", "p50_us", "p99_9_us", "max_us")) {
      assertThat(field(failed, empty)).as(empty).isEmpty();
    }
    assertThat(field(failed, "errors")).isEqualTo("1");
    assertThat(field(failed, "mismatched")).isEqualTo("1");
  }

  @Test
  void leavesTheSweepColumnsEmptyWithoutASweep() throws IOException {
    Path file = dir.resolve("out.csv");
    Csv.write(file, Fixtures.single(), null);
    List<List<String>> records = parse(Files.readString(file));
    assertThat(field(records.get(1), "sweep_parameter")).isEmpty();
    assertThat(field(records.get(1), "sweep_value")).isEmpty();
    assertThat(field(records.get(2), "ratio")).isEqualTo("2.7727");
  }

  @Test
  void anUnwritablePathIsAUserErrorOfOneLine() {
    Path file = dir.resolve("missing/out.csv");
    assertThatThrownBy(() -> Csv.write(file, Fixtures.single(), null))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--csv " + file + ": cannot write it: no such directory")
        .message()
        .doesNotContain("\n");
    assertThat(dir.toFile().list()).isEmpty();
  }

  private static String field(List<String> record, String column) {
    return record.get(Csv.HEADER.indexOf(column));
  }

  // RFC 4180, strictly: CRLF records, quoted fields with doubled quotes.
  static List<List<String>> parse(String text) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"' && f.isEmpty()) {
        i++;
        while (true) {
          char q = text.charAt(i++);
          if (q == '"' && i < text.length() && text.charAt(i) == '"') {
            f.append('"');
            i++;
          } else if (q == '"') {
            break;
          } else {
            f.append(q);
          }
        }
        continue;
      }
      if (c == ',') {
        record.add(f.toString());
        f.setLength(0);
      } else if (c == '\r') {
        assertThat(text.charAt(i + 1)).isEqualTo('\n');
        record.add(f.toString());
        f.setLength(0);
        records.add(record);
        record = new ArrayList<>();
        i++;
      } else {
        assertThat(c).as("a bare line feed or quote").isNotIn('\n', '"');
        f.append(c);
      }
      i++;
    }
    assertThat(record).isEmpty();
    return records;
  }
}
