package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseUsageTapTest {

  private static final String HEAD = "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1732780000,"
      + "\"model\":\"llama\",";

  private static String chunk(String choices, String usage) {
    return "data: " + HEAD + "\"choices\":" + choices + usage + "}";
  }

  /** A vLLM-shaped stream; {@code usageNull} adds the {@code "usage":null} member some servers add with the option. */
  private static String stream(String eol, boolean withUsage, boolean usageNull) {
    String n = usageNull ? ",\"usage\":null" : "";
    String blank = eol + eol;
    StringBuilder s = new StringBuilder();
    s.append(chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
        + "\"finish_reason\":null}]", n)).append(blank);
    for (String w : List.of("Bonjour", " le", " monde", " \\\"usage\\\": {\\\"prompt_tokens\\\": 999}", " 日本語")) {
      s.append(chunk("[{\"index\":0,\"delta\":{\"content\":\"" + w + "\"},\"logprobs\":null,\"finish_reason\":null}]", n))
          .append(blank);
    }
    s.append(chunk("[{\"index\":0,\"delta\":{\"content\":\"\"},\"logprobs\":null,\"finish_reason\":\"stop\","
        + "\"stop_reason\":null}]", n)).append(blank);
    if (withUsage) {
      s.append(chunk("[]", ",\"usage\":{\"prompt_tokens\":1234,\"total_tokens\":1240,\"completion_tokens\":6}"))
          .append(blank);
    }
    s.append("data: [DONE]").append(blank);
    return s.toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private record Result(String out, int promptTokens) {
  }

  /** Feeds {@code data} cut at {@code cuts} (ascending offsets) and collects what the client would get. */
  private static Result run(ResponseTap tap, byte[] data, int... cuts) {
    Buffer out = Buffer.buffer();
    int from = 0;
    for (int cut : cuts) {
      out.appendBuffer(tap.onChunk(Buffer.buffer(java.util.Arrays.copyOfRange(data, from, cut))));
      from = cut;
    }
    out.appendBuffer(tap.onChunk(Buffer.buffer(java.util.Arrays.copyOfRange(data, from, data.length))));
    out.appendBuffer(tap.onEnd());
    return new Result(out.toString(StandardCharsets.UTF_8), tap.promptTokens());
  }

  @Test
  void removesExactlyTheUsageEventWhateverTheSplitPoint() {
    byte[] upstream = bytes(stream("\n", true, false));
    String expected = stream("\n", false, false);
    List<Integer> wrong = new ArrayList<>();
    for (int cut = 0; cut <= upstream.length; cut++) {
      Result r = run(SseUsageTap.stripping(), upstream, cut);
      if (!r.out().equals(expected) || r.promptTokens() != 1234) {
        wrong.add(cut);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void removesTheUsageEventWhenFedOneByteAtATime() {
    byte[] upstream = bytes(stream("\n", true, false));
    int[] cuts = new int[upstream.length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    Result r = run(SseUsageTap.stripping(), upstream, cuts);
    assertThat(r.out()).isEqualTo(stream("\n", false, false));
    assertThat(r.promptTokens()).isEqualTo(1234);
  }

  @Test
  void handlesCrlfAndLoneCrDelimitersAtEverySplitPoint() {
    for (String eol : List.of("\r\n", "\r")) {
      byte[] upstream = bytes(stream(eol, true, false));
      String expected = stream(eol, false, false);
      for (int cut = 0; cut <= upstream.length; cut++) {
        Result r = run(SseUsageTap.stripping(), upstream, cut);
        assertThat(r.out()).as("eol %s cut %d", eol.replace("\r", "CR").replace("\n", "LF"), cut).isEqualTo(expected);
        assertThat(r.promptTokens()).isEqualTo(1234);
      }
    }
  }

  @Test
  void cutsTheUsageNullMembersTheOptionAdded() {
    byte[] upstream = bytes(stream("\n", true, true));
    for (int cut = 0; cut <= upstream.length; cut += 7) {
      assertThat(run(SseUsageTap.stripping(), upstream, cut).out()).isEqualTo(stream("\n", false, false));
    }
  }

  @Test
  void randomMultiSplitsGiveTheSameBytes() {
    byte[] upstream = bytes(stream("\n", true, true));
    Random rnd = new Random(8);
    for (int trial = 0; trial < 300; trial++) {
      int[] cuts = rnd.ints(1 + rnd.nextInt(12), 0, upstream.length + 1).sorted().toArray();
      assertThat(run(SseUsageTap.stripping(), upstream, cuts).out()).isEqualTo(stream("\n", false, false));
    }
  }

  @Test
  void passThroughForwardsEveryByteAndStillReadsUsage() {
    byte[] upstream = bytes(stream("\n", true, true));
    String same = new String(upstream, StandardCharsets.UTF_8);
    for (int cut = 0; cut <= upstream.length; cut++) {
      Result r = run(SseUsageTap.passThrough(), upstream, cut);
      assertThat(r.out()).isEqualTo(same);
      assertThat(r.promptTokens()).as("cut %d", cut).isEqualTo(1234);
    }
  }

  @Test
  void passThroughForwardsEachChunkAsIsWithoutHolding() {
    Buffer chunk = Buffer.buffer("data: {\"choices\":[{\"delta\":{\"content\":\"par");
    assertThat(SseUsageTap.passThrough().onChunk(chunk)).isSameAs(chunk);
  }

  @Test
  void stripModeForwardsCompleteEventsAtOnceAndHoldsOnlyThePartialOne() {
    SseUsageTap tap = SseUsageTap.stripping();
    String first = chunk("[{\"index\":0,\"delta\":{\"content\":\"a\"}}]", "") + "\n\n";
    Buffer out = tap.onChunk(Buffer.buffer(first + "data: {\"partial"));
    assertThat(out.toString()).isEqualTo(first);
  }

  @Test
  void streamWithoutUsageReportsMinusOne() {
    byte[] upstream = bytes(stream("\n", false, false));
    Result r = run(SseUsageTap.stripping(), upstream, 100);
    assertThat(r.out()).isEqualTo(stream("\n", false, false));
    assertThat(r.promptTokens()).isEqualTo(-1);
  }

  @Test
  void usageEventWithoutTrailingBlankLineIsStillDroppedAtEnd() {
    String body = chunk("[{\"index\":0,\"delta\":{\"content\":\"a\"}}]", "") + "\n\n";
    String usage = chunk("[]", ",\"usage\":{\"prompt_tokens\":42,\"total_tokens\":43,\"completion_tokens\":1}");
    Result r = run(SseUsageTap.stripping(), bytes(body + usage), 10);
    assertThat(r.out()).isEqualTo(body);
    assertThat(r.promptTokens()).isEqualTo(42);
  }

  @Test
  void tolerantOfSpacesInTheJson() {
    String ev = "data: {\"id\": \"x\", \"choices\": [ ], \"usage\": {\"prompt_tokens\": 77, \"total_tokens\": 80}}\n\n";
    String done = "data: [DONE]\n\n";
    Result r = run(SseUsageTap.stripping(), bytes(ev + done), 30);
    assertThat(r.out()).isEqualTo(done);
    assertThat(r.promptTokens()).isEqualTo(77);
  }

  @Test
  void cutsUsageNullWhereverItSitsInTheObject() {
    String in = "data: {\"usage\": null, \"choices\":[{\"delta\":{}}]}\n\ndata: {\"choices\":[] , \"usage\" : null }\n\n"
        + "data: {\"usage\":null}\n\n";
    String out = "data: {\"choices\":[{\"delta\":{}}]}\n\ndata: {\"choices\":[] }\n\ndata: {}\n\n";
    assertThat(run(SseUsageTap.stripping(), bytes(in), 17).out()).isEqualTo(out);
  }

  /**
   * Usage a client asked for itself is never removed: a usage object in a chunk that carries choices
   * ({@code continuous_usage_stats}) passes even in strip mode; only the usage-only event goes.
   */
  @Test
  void stripModeKeepsUsageThatRidesOnAChunkWithChoices() {
    String continuous = chunk("[{\"index\":0,\"delta\":{\"content\":\" the\"},\"logprobs\":null,\"finish_reason\":null}]",
        ",\"usage\":{\"prompt_tokens\":1234,\"total_tokens\":1235,\"completion_tokens\":1}") + "\n\n";
    String usageOnly = chunk("[]", ",\"usage\":{\"prompt_tokens\":1234,\"total_tokens\":1235,\"completion_tokens\":1}")
        + "\n\n";
    Result r = run(SseUsageTap.stripping(), bytes(continuous + usageOnly + "data: [DONE]\n\n"), 40);
    assertThat(new Object[] {r.out(), r.promptTokens()}).containsExactly(continuous + "data: [DONE]\n\n", 1234);
  }

  @Test
  void passThroughReadsContinuousUsageAndForwardsEveryByte() {
    String in = chunk("[{\"index\":0,\"delta\":{\"content\":\" the\"},\"logprobs\":null,\"finish_reason\":null}]",
        ",\"usage\":{\"prompt_tokens\":88,\"total_tokens\":89,\"completion_tokens\":1}") + "\n\n"
        + chunk("[]", ",\"usage\":{\"prompt_tokens\":88,\"total_tokens\":90,\"completion_tokens\":2}") + "\n\n"
        + "data: [DONE]\n\n";
    Result r = run(SseUsageTap.passThrough(), bytes(in), 7, 100);
    assertThat(new Object[] {r.out(), r.promptTokens()}).containsExactly(in, 88);
  }
}
