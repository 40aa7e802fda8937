package dev.socklab.bench;

import static dev.socklab.bench.JsonParser.arr;
import static dev.socklab.bench.JsonParser.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.socklab.common.UserError;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
  @TempDir Path dir;

  @Test
  void writesOneValidDocumentWithThePlanAndEveryResult() throws IOException {
    Path file = dir.resolve("out.json");
    Json.write(file, Fixtures.sweep(), Fixtures.plan(true));
    Map<String, Object> doc = obj(JsonParser.parse(Files.readString(file)));

    assertThat(doc.get("socklab_bench")).isEqualTo(BigDecimal.ONE);
    assertThat((String) doc.get("date")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    Map<String, Object> machine = obj(doc.get("machine"));
    assertThat(machine).containsKeys("cores", "kernel", "java", "os");
    assertThat(machine.get("java")).isEqualTo(Runtime.version().toString());
    Map<String, Object> plan = obj(doc.get("plan"));
    assertThat(plan)
        .containsEntry("warmup_ms", new BigDecimal(1000))
        .containsEntry("duration_ms", new BigDecimal(3000))
        .doesNotContainKey("count");
    Map<String, Object> sweep = obj(plan.get("sweep"));
    assertThat(sweep.get("parameter")).isEqualTo("conns");
    assertThat(arr(sweep.get("values")))
        .containsExactly(BigDecimal.ONE, BigDecimal.TEN, new BigDecimal(100));

    List<Object> results = arr(doc.get("results"));
    assertThat(results).hasSize(6);
    Map<String, Object> b1 = obj(results.get(1));
    assertThat(obj(b1.get("target")))
        .containsEntry("name", "/tmp/echo.sock")
        .containsEntry("family", "unix")
        .containsEntry("address", "unix:/tmp/echo.sock");
    assertThat(b1)
        .containsEntry("load", "conns=1 size=64 closed loop")
        .containsEntry("unit", "round trips/s")
        .containsEntry("sweep_value", BigDecimal.ONE)
        .containsEntry("ok", true)
        .containsEntry("failure", null)
        .containsEntry("throughput", new BigDecimal(20000))
        .containsEntry("ratio", new BigDecimal("1.9048"))
        .containsEntry("server", null);
    List<Object> rounds = arr(b1.get("rounds"));
    assertThat(rounds).hasSize(3);
    assertThat(obj(rounds.get(1)))
        .containsEntry("throughput", new BigDecimal(21000))
        .containsEntry("operations", new BigDecimal(21000))
        .containsEntry("measured_ms", new BigDecimal(1000))
        .containsEntry("client_busy", new BigDecimal("0.5"))
        .containsEntry("server", null);
    Map<String, Object> latency = obj(b1.get("latency_us"));
    assertThat(latency.keySet())
        .containsExactly("p50", "p90", "p99", "p99_9", "p99_99", "max", "mean", "count");
    assertThat(((BigDecimal) latency.get("p50")).doubleValue()).isBetween(500.0, 503.0);
    assertThat(latency.get("count")).isEqualTo(new BigDecimal(3 * 1001));
    assertThat(obj(b1.get("errors"))).containsEntry("total", BigDecimal.ZERO);

    Map<String, Object> a1 = obj(results.get(0));
    assertThat(obj(a1.get("server")))
        .containsEntry("max_rss_bytes", new BigDecimal(40L << 20))
        .containsEntry("cpu_share", new BigDecimal("0.85"))
        .containsEntry("max_threads", new BigDecimal(4));
    assertThat(arr(a1.get("warnings"))).hasSize(1);
  }

  @Test
  void aFailedRowHasItsFailureAndCountsButNoThroughputOrLatency() {
    Map<String, Object> doc =
        obj(JsonParser.parse(Json.document(Fixtures.sweep(), Fixtures.plan(true))));
    Map<String, Object> failed = obj(arr(doc.get("results")).get(5));
    assertThat(failed)
        .containsEntry("ok", false)
        .containsEntry("failure", Fixtures.FAILURE)
        .containsEntry("throughput", null)
        .containsEntry("ratio", null)
        .containsEntry("latency_us", null);
    assertThat(obj(arr(failed.get("rounds")).get(0)))
        .containsEntry("throughput", null)
        .containsEntry("sent", new BigDecimal(11));
    assertThat(obj(failed.get("errors")))
        .containsEntry("total", BigDecimal.ONE)
        .containsEntry("mismatched", BigDecimal.ONE);
  }

  @Test
  void withoutASweepThePlanSaysNullAndCountBudgetsSayCount() {
    Runner.Plan plan = new Runner.Plan(Duration.ZERO, Budget.count(5000), 2, null, List.of(), 0.01);
    Map<String, Object> doc = obj(JsonParser.parse(Json.document(Fixtures.single(), plan)));
    assertThat(obj(doc.get("plan")))
        .containsEntry("count", new BigDecimal(5000))
        .containsEntry("sweep", null)
        .containsEntry("max_loss_percent", BigDecimal.ONE)
        .doesNotContainKey("duration_ms");
    assertThat(obj(arr(doc.get("results")).get(0))).containsEntry("sweep_value", null);
  }

  @Test
  void theParserOfTheseTestsRejectsWhatIsNotJson() {
    for (String bad : List.of("{\"a\":1,}", "[1 2]", "{\"a\":NaN}", "\"a\nb\"", "{} {}", "01")) {
      assertThatThrownBy(() -> JsonParser.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void anUnwritablePathIsAUserError() {
    Path file = dir.resolve("no/such/dir.json");
    assertThatThrownBy(() -> Json.write(file, Fixtures.single(), Fixtures.plan(false)))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--json " + file + ": cannot write it");
  }
}
