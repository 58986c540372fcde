package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;
import static dev.sluice.dispatcher.scan.Bodies.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IncludeUsageRewriteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"日本 x\"}]";

  private static Buffer rewrite(String json) {
    Buffer body = Buffer.buffer(utf8(json));
    return IncludeUsageRewrite.apply(body, Bodies.chat(body.getBytes()));
  }

  /** No stream_options, a null one, or an include_usage that vLLM reads as false: Sluice asks for usage. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`{\"stream\":true,MSG}`",
      "`{\"stream\":true,MSG \n}`",
      "`{\"stream\":true,\"stream_options\":{\"include_usage\":false},MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"a\":[],\"include_usage\" : false ,\"b\":2},MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"include_usage\":null},MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"include_usage\":false,\"continuous_usage_stats\":false},MSG}`",
      "`{\"stream\":true,\"stream_options\":null,MSG}`",
      "`{MSG,\"stream_options\":{\"include_usage\":false},\"stream\":true}`",
  })
  void streamingBodiesEndUpAskingForUsageAndKeepEverythingElse(String template) throws IOException {
    String json = template.replace("MSG", MSG);

    Buffer out = rewrite(json);

    ObjectNode expected = (ObjectNode) JSON.readTree(utf8(json));
    JsonNode options = expected.get("stream_options");
    ObjectNode fixed = options instanceof ObjectNode o ? o : expected.putObject("stream_options");
    fixed.put("include_usage", true);
    assertThat(JSON.readTree(out.getBytes())).isEqualTo(expected);
  }

  /**
   * An object vLLM may read as asking for usage ({@code {}}: yes up to its PR #36379, no since), one that asks,
   * and any with {@code continuous_usage_stats} (an added include_usage would put usage in every chunk): the
   * upstream decides, so the body goes as sent.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`{\"stream\":true,\"stream_options\":{},MSG}`",
      "`{\"stream\":true,\"stream_options\":{ \n },MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"x\":1},MSG}`",
      "`{\"stream\":true,\"stream_options\":{ \"x\" : {\"include_usage\":false} },MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"include_usage\":true},MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"continuous_usage_stats\":true},MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"include_usage\":false,\"continuous_usage_stats\":true},MSG}`",
      "`{\"stream\":true,\"stream_options\":{\"continuous_usage_stats\":\"yes\",\"include_usage\":null},MSG}`",
  })
  void optionsTheClientSettledGoAsSent(String template) {
    Buffer body = Buffer.buffer(utf8(template.replace("MSG", MSG)));

    assertThat(IncludeUsageRewrite.apply(body, Bodies.chat(body.getBytes()))).isSameAs(body);
  }

  @Test
  void aMissingStreamOptionsIsAddedBeforeTheClosingBraceWithExactlyItsBytes() {
    byte[] original = utf8("{\"stream\":true," + MSG + "}");
    RequestFacts facts = Bodies.chat(original);
    int at = facts.bodyEnd();

    byte[] out = IncludeUsageRewrite.apply(Buffer.buffer(original), facts).getBytes();

    assertThat(out).isEqualTo(concat(Arrays.copyOfRange(original, 0, at), utf8(",\"stream_options\":{\"include_usage\":true}"),
        Arrays.copyOfRange(original, at, original.length)));
  }

  @Test
  void replacingFalseChangesOnlyThatToken() {
    String json = "{\"stream\":true,\"stream_options\":{\"include_usage\":false}," + MSG + "}";

    String out = rewrite(json).toString();

    assertThat(out).isEqualTo(json.replace("false", "true"));
  }

  @Test
  void replacingNullOptionsChangesOnlyThatToken() {
    String json = "{\"stream\":true,\"stream_options\":null," + MSG + "}";

    String out = rewrite(json).toString();

    assertThat(out).isEqualTo(json.replace("null", "{\"include_usage\":true}"));
  }

  @Test
  void splitFedBodyRewritesAtTheSameOffsets() {
    byte[] body = utf8("{\"stream\":true,\"stream_options\":{\"include_usage\":false}," + MSG + "}");
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    for (byte b : body) {
      scanner.feed(Buffer.buffer(new byte[] {b}));
    }

    Buffer out = IncludeUsageRewrite.apply(Buffer.buffer(body), scanner.finish());

    assertThat(out.toString()).contains("\"include_usage\":true}");
  }

  @Test
  void nonStreamingKeepsTheSameBuffer() {
    Buffer body = Buffer.buffer("{\"stream\":false," + MSG + "}");

    assertThat(IncludeUsageRewrite.apply(body, Bodies.chat(body.getBytes()))).isSameAs(body);
  }

  @Test
  void factsFromAnotherBodyAreRefused() {
    RequestFacts facts = Bodies.chat(utf8("{\"stream\":true," + MSG + "}"));
    Buffer other = Buffer.buffer("{\"stream\":true," + MSG + ",\"user\":\"someone\"}");

    assertThat(catchThrowable(() -> IncludeUsageRewrite.apply(other, facts)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
