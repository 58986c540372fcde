package dev.sluice.bench;

import dev.sluice.dispatcher.relay.JsonUsageTap;
import dev.sluice.dispatcher.relay.ResponseTap;
import dev.sluice.dispatcher.relay.SseErrorWatch;
import dev.sluice.dispatcher.relay.SseUsageTap;
import dev.sluice.dispatcher.relay.StreamHead;
import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./sluice bench stream-taps [seconds per case]}: the relay's own work on a 2xx event stream, by thread
 * CPU time (best of five rounds, as {@code bench scanner --cpu}): the usage tap alone, in its pass-through and
 * strip modes, the same with the error-event watch fed every chunk too, and the head that holds the stream
 * until its first event decides. Streams are vLLM-shaped chat streams (role chunk, one chunk per token, the
 * usage chunk, {@code [DONE]}), fed one event per chunk, the way a server that flushes every token delivers them.
 * Beside them, the tap of a non-streaming answer of as many tokens ({@code JsonUsageTap}, reading the prompt and the
 * generated tokens), the whole body in one chunk.
 */
public final class StreamTapBench {
  private static final int MAX_BYTES = 16 * 1024;
  private static final String HEAD = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
      + "\"created\":1764748800,\"model\":\"meta-llama/Meta-Llama-3-70B-Instruct\",";
  private static final String[] WORDS = {" the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog"};

  private StreamTapBench() {
  }

  /** A stream of {@code tokens} content chunks, one event per buffer. */
  static Buffer[] stream(int tokens) {
    List<Buffer> events = new ArrayList<>();
    events.add(event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
        + "\"logprobs\":null,\"finish_reason\":null}]}"));
    for (int i = 0; i < tokens; i++) {
      events.add(event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + WORDS[i % WORDS.length]
          + "\"},\"logprobs\":null,\"finish_reason\":" + (i == tokens - 1 ? "\"length\"" : "null") + "}]}"));
    }
    events.add(event(HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":812,\"total_tokens\":" + (812 + tokens)
        + ",\"completion_tokens\":" + tokens + "}}"));
    events.add(Buffer.buffer("data: [DONE]\n\n"));
    return events.toArray(new Buffer[0]);
  }

  /** A non-streaming chat completion whose answer is {@code tokens} words, as vLLM writes it. */
  static Buffer answer(int tokens) {
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      content.append(WORDS[i % WORDS.length]);
    }
    return Buffer.buffer(("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764748800,"
        + "\"model\":\"meta-llama/Meta-Llama-3-70B-Instruct\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
        + "\"assistant\",\"reasoning_content\":null,\"content\":\"" + content + "\",\"tool_calls\":[]},"
        + "\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}],\"service_tier\":null,"
        + "\"system_fingerprint\":null,\"usage\":{\"prompt_tokens\":812,\"total_tokens\":" + (812 + tokens)
        + ",\"completion_tokens\":" + tokens + ",\"prompt_tokens_details\":null},\"prompt_logprobs\":null,"
        + "\"kv_transfer_params\":null}").getBytes(StandardCharsets.UTF_8));
  }

  private static Buffer event(String data) {
    return Buffer.buffer((data + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private static long tap(Buffer[] stream, ResponseTap tap, SseErrorWatch watch) {
    long out = 0;
    for (Buffer chunk : stream) {
      if (watch != null) {
        watch.feed(chunk);
      }
      out += tap.onChunk(chunk).length();
    }
    out += tap.onEnd().length();
    return out + tap.promptTokens() + (watch != null && watch.sawError() ? 1 : 0);
  }

  private static long head(Buffer[] stream) {
    StreamHead head = new StreamHead(MAX_BYTES);
    for (Buffer chunk : stream) {
      if (head.offer(chunk) != StreamHead.Verdict.MORE) {
        return head.held().length();
      }
    }
    return -1;
  }

  /** {@code ./sluice bench stream-taps [SECONDS]}. */
  @Command(name = "stream-taps", description = "The relay's work per 2xx event stream: usage taps, error-event "
      + "watch, stream head (thread CPU time).")
  static final class Run implements Callable<Integer> {
    @Parameters(paramLabel = "SECONDS", arity = "0..1", defaultValue = "1",
        description = "CPU seconds per case (default ${DEFAULT-VALUE})")
    double seconds;

    @Override
    public Integer call() {
      StreamTapBench.run(seconds);
      return 0;
    }
  }

  /** One case: what it is, the bytes it reads, and one run of it. */
  private record Case(String name, long bytes, Supplier<Long> op) {
  }

  static void run(double seconds) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long[] sink = new long[1];
    System.out.printf(Locale.ROOT, "%-26s %7s %9s %12s %10s%n", "case", "tokens", "bytes", "cpu ns/op", "ns per KB");
    for (int tokens : new int[] {16, 256, 2048}) {
      Buffer[] s = stream(tokens);
      long bytes = 0;
      for (Buffer b : s) {
        bytes += b.length();
      }
      Buffer[] answer = {answer(tokens)};
      long answerBytes = answer[0].length();
      List<Case> cases = List.of(
          new Case("json tap (non-streaming)", answerBytes, () -> tap(answer, new JsonUsageTap(true), null)),
          new Case("pass-through tap", bytes, () -> tap(s, SseUsageTap.passThrough(), null)),
          new Case("pass-through tap + watch", bytes,
              () -> tap(s, SseUsageTap.passThrough(), new SseErrorWatch(MAX_BYTES))),
          new Case("strip tap", bytes, () -> tap(s, SseUsageTap.stripping(), null)),
          new Case("strip tap + watch", bytes, () -> tap(s, SseUsageTap.stripping(), new SseErrorWatch(MAX_BYTES))),
          new Case("head (first event)", bytes, () -> head(s)));
      for (Case c : cases) {
        Runnable run = () -> sink[0] += c.op().get();
        ScannerBench.timeCpu(cpu, run, seconds / 2); // warm-up
        double nanos = ScannerBench.timeCpu(cpu, run, seconds);
        System.out.printf(Locale.ROOT, "%-26s %7d %9d %12.0f %10.0f%n", c.name(), tokens, c.bytes(), nanos,
            nanos * 1024 / c.bytes());
      }
    }
    if (sink[0] == 42) {
      System.out.println();
    }
  }
}
