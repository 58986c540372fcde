package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;
import static dev.sluice.dispatcher.scan.Bodies.chat;
import static dev.sluice.dispatcher.scan.Bodies.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BodyScannerTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "en_narrative_pride_ch01-12.txt", "en_doc_python_tutorial.rst", "ja_tech_debref_ch01.txt",
      "ja_pure_cjk_lines.txt", "mixed_po_apt_ja.po", "code_java_commons_lang3.java", "json_pretty_iso3166-2.json"})
  void textBytesOfRawUtf8BodyAreTheUtf8LengthOfTheCorpusText(String file) {
    String text = Bodies.corpus(file);

    RequestFacts facts = chat(Bodies.chat(false, List.of(text)));

    assertThat(facts.textBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ja_tech_debref_ch01.txt", "ja_pure_cjk_lines.txt", "mixed_po_apt_ja.po",
      "en_narrative_pride_ch01-12.txt"})
  void escapedNonAsciiCountsTheSameBytesAsRawUtf8(String file) {
    String text = Bodies.corpus(file);
    byte[] escaped = Bodies.chat(true, List.of(text));
    assertThat(escaped.length).isGreaterThan(text.getBytes(StandardCharsets.UTF_8).length); // really escaped

    RequestFacts facts = chat(escaped);

    assertThat(facts.textBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void surrogatePairEscapesCountFourBytes() {
    String text = "a\uD83D\uDE00b\uD842\uDFB7"; // emoji and a plane-2 ideograph

    RequestFacts facts = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"a\\ud83d\\ude00b\\uD842\\uDFB7\"}]}");

    assertThat(facts.textBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void supplementaryIdeographsCountAsCjkAndEmojiAsOther() {
    RequestFacts facts = chat(utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"\uD83D\uDE00\uD842\uDFB7\"}]}"));

    assertThat(List.of(facts.features().cjkBytes(), facts.features().otherNonAsciiBytes())).containsExactly(4L, 4L);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "en_narrative_pride_ch01-12.txt", "ja_tech_debref_ch01.txt", "mixed_po_apt_ja.po",
      "code_java_commons_lang3.java", "json_pretty_iso3166-2.json"})
  void featuresMatchAPerCodePointOracle(String file) {
    String text = Bodies.corpus(file);
    String half1 = text.substring(0, text.length() / 2);
    String half2 = text.substring(text.length() / 2);

    RequestFacts facts = chat(Bodies.chat(false, List.of(half1, half2)));

    TextFeatures a = Oracle.features(half1);
    TextFeatures b = Oracle.features(half2);
    assertThat(facts.features()).isEqualTo(Oracle.sum(a, b));
  }

  @Test
  void cjkTextIsMostlyCjkBytes() {
    String text = Bodies.corpus("ja_pure_cjk_lines.txt");

    RequestFacts facts = chat(Bodies.chat(true, List.of(text)));

    assertThat((double) facts.features().cjkBytes() / facts.textBytes()).isGreaterThan(0.7);
  }

  @Test
  void readsEveryRequestField() {
    RequestFacts facts = chat("""
        {"model":"llama-3","stream":true,"stream_options":{"include_usage":true},"max_tokens":100,
         "n":3,"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],
         "messages":[{"role":"system","content":"abc"},{"role":"user","content":"de"}],"temperature":0.2}""");

    assertThat(facts).extracting(RequestFacts::model, RequestFacts::stream, RequestFacts::includeUsage,
            RequestFacts::maxTokens, RequestFacts::n, RequestFacts::textBytes, RequestFacts::messages,
            RequestFacts::hasImages, RequestFacts::hasTools, RequestFacts::hasPrompt)
        .containsExactly("llama-3", true, true, 100, 3, 5L, 2, false, true, true);
  }

  @Test
  void defaultsWhenOptionalFieldsAreAbsent() {
    RequestFacts facts = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(facts).extracting(RequestFacts::model, RequestFacts::stream, RequestFacts::includeUsage,
            RequestFacts::maxTokens, RequestFacts::n, RequestFacts::streamOptionsStart,
            RequestFacts::includeUsageValueStart)
        .containsExactly(null, false, false, -1, 1, -1, -1);
  }

  /**
   * Whether the client's stream_options settle usage, as vLLM's {@code should_include_usage}
   * ({@code vllm/entrypoints/serve/utils/api_utils.py}) reads them: an object asks for usage unless its
   * include_usage is false or null (older vLLM; current vLLM defaults an absent one to false), and usage on
   * every chunk needs both flags. The last stream_options wins.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`,\"n\":1` | false",
      "`,\"stream_options\":null` | false",
      "`,\"stream_options\":{}` | true",
      "`,\"stream_options\":{\"include_usage\":true}` | true",
      "`,\"stream_options\":{\"include_usage\":false}` | false",
      "`,\"stream_options\":{\"include_usage\":null}` | false",
      "`,\"stream_options\":{\"continuous_usage_stats\":true}` | true",
      "`,\"stream_options\":{\"continuous_usage_stats\":false}` | true",
      "`,\"stream_options\":{\"include_usage\":false,\"continuous_usage_stats\":true}` | true",
      "`,\"stream_options\":{\"include_usage\":false,\"continuous_usage_stats\":false}` | false",
      "`,\"stream_options\":{\"include_usage\":false,\"continuous_usage_stats\":{\"x\":1}}` | true",
      "`,\"stream_options\":{\"include_usage\":true},\"stream_options\":{\"include_usage\":false}` | false",
      "`,\"stream_options\":{\"continuous_usage_stats\":true},\"stream_options\":null` | false",
  })
  void streamOptionsSettleUsageAsVllmReadsThem(String options, boolean settled) {
    RequestFacts facts = chat("{\"stream\":true" + options + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(facts.includeUsage()).isEqualTo(settled);
  }

  @Test
  void maxCompletionTokensWinsOverMaxTokensInAnyOrder() {
    RequestFacts facts = chat("{\"max_completion_tokens\":7,\"max_tokens\":100,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(facts.maxTokens()).isEqualTo(7);
  }

  @Test
  void functionsCountAsTools() {
    RequestFacts facts = chat("{\"functions\":[{\"name\":\"f\"}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(facts.hasTools()).isTrue();
  }

  @Test
  void contentPartsCountTextAndFlagImages() {
    RequestFacts facts = chat("""
        {"messages":[{"role":"user","content":[
          {"type":"text","text":"héllo"},
          {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAAAAAAAAAAAAAAAAAA","detail":"low"}},
          {"text":"wörld","type":"text"}]},
         {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function",
          "function":{"name":"f","arguments":"{\\"content\\":\\"nope\\"}"}}]}]}""");

    assertThat(facts).extracting(RequestFacts::textBytes, RequestFacts::hasImages, RequestFacts::messages)
        .containsExactly(12L, true, 2);
  }

  @Test
  void textOnlyPartsAreNoImages() {
    RequestFacts facts = chat("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"}]}]}");

    assertThat(facts.hasImages()).isFalse();
  }

  @Test
  void completionsPromptString() {
    RequestFacts facts = Bodies.scan(Api.COMPLETIONS,
        utf8("{\"model\":\"m\",\"prompt\":\"日本語 text\",\"max_tokens\":16}"));

    assertThat(facts).extracting(RequestFacts::textBytes, RequestFacts::messages, RequestFacts::maxTokens)
        .containsExactly((long) "日本語 text".getBytes(StandardCharsets.UTF_8).length, 0, 16);
  }

  @Test
  void completionsPromptArrayOfStringsSumsAllStrings() {
    RequestFacts facts = Bodies.scan(Api.COMPLETIONS,
        utf8("{\"prompt\":[\"abc\",\"\\u00e9\",\"\"],\"messages\":{\"ignored\":1}}"));

    assertThat(facts.textBytes()).isEqualTo(5);
  }

  @Test
  void chatIgnoresAPromptField() {
    RequestFacts facts = chat("{\"prompt\":\"zzzzzz\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(facts.textBytes()).isEqualTo(1);
  }

  @Test
  void unknownFieldsAreSkippedWhateverTheirShape() {
    RequestFacts facts = chat("""
        {"a":{"messages":"no","content":"no","b":[[{"content":"no"}],{}]},"logit_bias":{"1":2},
         "messages":[{"role":"user","name":"x","content":"ok","extra":{"content":"no"}}],"z":[]}""");

    assertThat(facts.textBytes()).isEqualTo(2);
  }

  @Test
  void everySplitPointGivesTheSameFacts() {
    byte[] body = smallBody();
    RequestFacts whole = chat(body);

    for (int cut = 1; cut < body.length; cut++) {
      BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
      scanner.feed(Buffer.buffer(Arrays.copyOfRange(body, 0, cut)));
      scanner.feed(Buffer.buffer(Arrays.copyOfRange(body, cut, body.length)));
      assertThat(scanner.finish()).as("split at %d", cut).isEqualTo(whole);
    }
  }

  @Test
  void oneByteAtATimeGivesTheSameFacts() {
    byte[] body = smallBody();
    RequestFacts whole = chat(body);

    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    for (byte b : body) {
      scanner.feed(Buffer.buffer(new byte[] {b}));
    }

    assertThat(scanner.finish()).isEqualTo(whole);
  }

  @Test
  void directAndSlicedBuffersAreReadLikeHeapOnes() {
    byte[] body = smallBody();
    byte[] padded = new byte[body.length + 10];
    System.arraycopy(body, 0, padded, 5, body.length);
    ByteBuf direct = Unpooled.directBuffer(body.length).writeBytes(body);

    BodyScanner fromDirect = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    fromDirect.feed(BufferInternal.buffer(direct));
    BodyScanner fromSlice = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    fromSlice.feed(Buffer.buffer(padded).slice(5, 5 + body.length));

    assertThat(List.of(fromDirect.finish(), fromSlice.finish())).containsOnly(chat(body));
  }

  @Test
  void offsetsPointAtTheBytesTheyName() {
    String json = "{ \"stream\" : true, \"stream_options\" : { \"include_usage\" : false },"
        + " \"messages\":[{\"role\":\"user\",\"content\":\"é\"}] }  ";
    byte[] body = utf8(json);

    RequestFacts facts = chat(body);

    String usage = new String(body, facts.includeUsageValueStart(),
        facts.includeUsageValueEnd() - facts.includeUsageValueStart(), StandardCharsets.UTF_8);
    assertThat(List.of((char) body[facts.bodyEnd()], (char) body[facts.streamOptionsStart()], usage))
        .containsExactly('}', '{', "false");
  }

  @Test
  void bodyEndIsAByteOffsetAfterMultiByteText() {
    byte[] body = utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"日本語\"}]}");

    assertThat(chat(body).bodyEnd()).isEqualTo(body.length - 1);
  }

  @Test
  void nullStreamOptionsIsRecordedAtItsLiteral() {
    byte[] body = utf8("{\"stream\":true,\"stream_options\":null,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    RequestFacts facts = chat(body);

    assertThat(new String(body, facts.streamOptionsStart(), 4, StandardCharsets.UTF_8)).isEqualTo("null");
  }

  @Test
  void trailingWhitespaceIsAccepted() {
    assertThat(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}\r\n ").messages()).isEqualTo(1);
  }

  @Test
  void closingBeforeFinishReleasesTheScanner() {
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);
    scanner.feed(Buffer.buffer("{\"messages\":["));
    scanner.close();

    assertThat(org.assertj.core.api.Assertions.catchThrowable(scanner::finish))
        .isInstanceOf(IllegalStateException.class);
  }

  /** About 400 bytes touching every path: escapes, multi-byte chars, parts, stream_options, tools. */
  static byte[] smallBody() {
    return utf8("""
        {"model":"qwen-7b","stream":true,"stream_options":{"other":[1,{"x":null}],"include_usage":false},
         "max_tokens":256,"n":2,"tools":[{"type":"function"}],"messages":[
         {"role":"system","content":"Tu es \\"utile\\".\\n\\tRéponds en 日本語 😀 \\u00e9\\ud83d\\ude00"},
         {"role":"user","content":[{"type":"text","text":"  indent\\n    deeper {x:1}; y=(2)"},
           {"type":"image_url","image_url":{"url":"http://x/y.png"}}]}],"temperature":0.7,"seed":12345678901}""");
  }
}
