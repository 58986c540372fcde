package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.relay.ForwardedHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EdgeBenchTest {

  @Test
  void theTableHasARowPerCaseWithItsSizeAndATime() {
    String[] rows = EdgeBench.run(0.05).strip().split("\n");

    assertThat(rows).hasSize(5);
    assertThat(rows[1]).startsWith("request headers up").contains(" 17 headers ");
    assertThat(rows[2]).startsWith("response headers down").contains(" 4 headers ");
    assertThat(rows[3]).startsWith("usage sample").contains(" B prompt ");
    assertThat(rows[4]).startsWith("access-log line").contains(" bytes ");
    for (int i = 1; i < rows.length; i++) {
      String[] cols = rows[i].trim().split("\\s+");
      assertThat(Double.parseDouble(cols[cols.length - 1])).isPositive();
    }
  }

  @Test
  void theBenchCopiesWhatARealRequestCarriesUpLessWhatStaysBehind() {
    MultiMap up = HttpHeaders.headers();
    ForwardedHeaders.copyRequest(EdgeBench.sdkRequest(), up);

    // 17 sent; host, accept-encoding, connection, authorization and content-length stay behind
    assertThat(up.entries()).hasSize(12);
    assertThat(up.contains("authorization")).isFalse();
    assertThat(up.get("x-stainless-lang")).isEqualTo("python");
  }

  @Test
  void theLoggedLineIsTheRecordsJsonAndANewline() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AccessLog.Lines lines = new AccessLog.Lines(AccessLog.sinkTo(out));

    lines.write(EdgeBench.servedRecord());
    lines.flush();

    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(EdgeBench.servedRecord().toJson() + "\n");
  }
}
