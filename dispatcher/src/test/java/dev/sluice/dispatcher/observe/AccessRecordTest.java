package dev.sluice.dispatcher.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AccessRecordTest {

  @Test
  void formatsOneLineWithTenthsOfMillisecondsAndNulls() {
    AccessRecord r = new AccessRecord(1700000000123L, "req-1", "short", "http://a:1", "prose", 1039, 260, 276, -1,
        200, 1, -1, 12.349, "ok", null);
    assertThat(r.toJson()).isEqualTo("{\"ts\":1700000000123,\"request_id\":\"req-1\",\"pool\":\"short\","
        + "\"endpoint\":\"http://a:1\",\"category\":\"prose\",\"text_bytes\":1039,\"estimate\":260,\"budget\":276,"
        + "\"prompt_tokens\":null,\"status\":200,\"retries\":1,\"ttft_ms\":null,\"duration_ms\":12.3,\"outcome\":\"ok\",\"error\":null}");
  }

  @Test
  void roundsToTheNearestTenthIncludingCarries() {
    JsonObject line = new JsonObject(new AccessRecord(0, "r", null, null, "code", 0, 0, 0, 7, 200, 0, 0.96, 9.95,
        "ok", null).toJson());
    assertThat(line.getDouble("ttft_ms")).isEqualTo(1.0);
    assertThat(line.getDouble("duration_ms")).isEqualTo(10.0);
    assertThat(line.getInteger("prompt_tokens")).isEqualTo(7);
    assertThat(line.getString("pool")).isNull();
  }

  @Test
  void aNonAsciiIdReadsBackAsSent() {
    String id = "réq-東京-\uD83D\uDE80";
    JsonObject line = new JsonObject(new AccessRecord(0, id, "p", null, "c", 0, 0, 0, -1, 200, 0, -1, 0,
        "ok", null).toJson());
    assertThat(line.getString("request_id")).isEqualTo(id);
  }

  @Test
  void escapesQuotesBackslashesAndControlCharactersInStrings() {
    String id = "a\"b\\c\nd";
    JsonObject line = new JsonObject(new AccessRecord(0, id, "p", null, "c", 0, 0, 0, -1, 400, 0, -1, 0,
        "refused", "invalid_json").toJson());
    assertThat(line.getString("request_id")).isEqualTo(id);
  }

  @Test
  void appendingToAReusedBufferGivesTheSameLineEachTime() {
    AccessRecord a = new AccessRecord(1, "x", "short", null, "json", 5, 2, 3, 2, 200, 0, 0.5, 1.5, "ok", null);
    AccessRecord b = new AccessRecord(2, "a-much-longer-request-id", "long", "http://b:2", "code", 50, 20, 30, 21,
        502, 2, -1, 100.04, "error", "upstream_reset");
    LineBuffer reused = new LineBuffer(16);
    assertThat(b.appendJson(reused.clear()).toString()).isEqualTo(b.toJson());
    assertThat(a.appendJson(reused.clear()).toString()).isEqualTo(a.toJson());
  }
}
