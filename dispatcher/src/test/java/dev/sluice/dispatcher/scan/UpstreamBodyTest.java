package dev.sluice.dispatcher.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.api.Api;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The body that goes upstream: an alias renamed and {@code include_usage} asked for, alone or together. */
class UpstreamBodyTest {

  private static RequestFacts scan(String json) {
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    scanner.feed(Buffer.buffer(json));
    return scanner.finish();
  }

  private static String edited(String json, boolean askUsage, String rename) {
    Buffer body = Buffer.buffer(json);
    return UpstreamBody.of(body, scan(json), askUsage, rename).toString();
  }

  @Test
  void nothingAskedLeavesTheVeryBuffer() {
    String json = "{\"model\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    Buffer body = Buffer.buffer(json);
    assertThat(UpstreamBody.of(body, scan(json), false, null)).isSameAs(body);
  }

  @Test
  void theAliasIsReplacedByteForByteInItsPlace() {
    String json = "{ \"model\" :  \"fast\" , \"messages\":[{\"role\":\"user\",\"content\":\"fast\"}]}";
    assertThat(edited(json, false, "llama-3-70b"))
        .isEqualTo("{ \"model\" :  \"llama-3-70b\" , \"messages\":[{\"role\":\"user\",\"content\":\"fast\"}]}");
  }

  @Test
  void bothEditsLandWhereverTheModelSits() {
    String before = "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    assertThat(edited(before, true, "big")).isEqualTo("{\"model\":\"big\",\"stream\":true,\"messages\":[{\"role\":"
        + "\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":true}}");
    String after = "{\"stream\":true,\"stream_options\":{\"include_usage\":false},\"messages\":[{\"role\":\"user\","
        + "\"content\":\"x\"}],\"model\":\"fast\"}";
    assertThat(edited(after, true, "big")).isEqualTo("{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"model\":\"big\"}");
  }

  @Test
  void aNameWrittenWithEscapesIsRenamedByReencoding() {
    String json = "{\"model\":\"f\\u0061st\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    JsonObject sent = new JsonObject(edited(json, true, "big"));
    assertThat(sent.getString("model")).isEqualTo("big");
    assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    assertThat(sent.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("x");
  }
}
