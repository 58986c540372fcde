package dev.sluice.dispatcher.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VllmMetricsParserTest {

  /** Shaped like a vLLM 0.10+ exposition with two data-parallel engines. */
  private static final String CURRENT = """
      # HELP vllm:num_requests_running Number of requests in model execution batches.
      # TYPE vllm:num_requests_running gauge
      vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.0
      vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 5.0
      # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
      # TYPE vllm:num_requests_waiting gauge
      vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
      vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0
      # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
      # TYPE vllm:kv_cache_usage_perc gauge
      vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.4375
      vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.8125
      # HELP vllm:num_requests_running_created dummy series sharing a prefix
      vllm:num_requests_running_created{engine="0"} 1.7e9
      # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
      # TYPE vllm:time_to_first_token_seconds histogram
      vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="m"} 0.0
      vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="m"} 1234.0
      vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} 1234.0
      """;

  private static EndpointLoad parse(String text) {
    return VllmMetricsParser.parse(text.getBytes(StandardCharsets.UTF_8), 42L);
  }

  @Test
  void sumsRunningOverEngines() {
    assertThat(parse(CURRENT).running()).isEqualTo(12.0);
  }

  @Test
  void sumsWaitingOverEngines() {
    assertThat(parse(CURRENT).waiting()).isEqualTo(3.0);
  }

  @Test
  void takesTheFullestKvCache() {
    assertThat(parse(CURRENT).kvCacheUsage()).isEqualTo(0.8125);
  }

  @Test
  void readsThePre010KvGaugeName() {
    String legacy = """
        # TYPE vllm:gpu_cache_usage_perc gauge
        vllm:gpu_cache_usage_perc{model_name="facebook/opt-125m"} 0.25
        vllm:num_requests_running{model_name="facebook/opt-125m"} 3.0
        vllm:num_requests_waiting{model_name="facebook/opt-125m"} 0.0
        """;
    EndpointLoad load = parse(legacy);
    assertThat(load.kvCacheUsage()).isEqualTo(0.25);
    assertThat(load.running()).isEqualTo(3.0);
    assertThat(load.waiting()).isEqualTo(0.0);
  }

  @Test
  void prefersTheCurrentKvNameWhenBothArePresent() {
    String both = """
        vllm:gpu_cache_usage_perc{model_name="m"} 0.9
        vllm:kv_cache_usage_perc{model_name="m"} 0.1
        """;
    assertThat(parse(both).kvCacheUsage()).isEqualTo(0.1);
  }

  @Test
  void skipsLabelValuesThatContainBracesQuotesAndSpaces() {
    String tricky = "vllm:num_requests_waiting{model_name=\"a} \\\"b\\\" {c\",engine=\"0\"} 4\n";
    assertThat(parse(tricky).waiting()).isEqualTo(4.0);
  }

  @Test
  void readsUnlabelledSamplesWithTimestampsAndCrlf() {
    String plain = "vllm:num_requests_running 9 1700000000000\r\nvllm:num_requests_waiting\t6e0\r\n";
    EndpointLoad load = parse(plain);
    assertThat(load.running()).isEqualTo(9.0);
    assertThat(load.waiting()).isEqualTo(6.0);
  }

  @Test
  void absentMetricsAreMinusOne() {
    EndpointLoad load = parse("# nothing here\nprocess_cpu_seconds_total 12.5\n");
    assertThat(load.running()).isEqualTo(-1);
    assertThat(load.waiting()).isEqualTo(-1);
    assertThat(load.kvCacheUsage()).isEqualTo(-1);
    assertThat(load.known()).isFalse();
  }

  @Test
  void ignoresNaNSamples() {
    assertThat(parse("vllm:num_requests_waiting{engine=\"0\"} NaN\n").waiting()).isEqualTo(-1);
  }

  @Test
  void parsesNumberForms() {
    assertThat(number("1.5e-3")).isCloseTo(0.0015, within(1e-12));
    assertThat(number("-2")).isEqualTo(-2.0);
    assertThat(number("+Inf")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(number("0.000")).isEqualTo(0.0);
    assertThat(number("12345678901234567890")).isCloseTo(1.2345678901234567e19, within(1e5));
    assertThat(number("1x")).isNaN();
    assertThat(number("")).isNaN();
  }

  private static double number(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return VllmMetricsParser.parseNumber(b, 0, b.length);
  }

  @Test
  void sumsTokenCountersOverEnginesAndIgnoresCreatedSeries() {
    EndpointLoad load = parse("""
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="m"} 1500.0
        vllm:generation_tokens_total{engine="1",model_name="m"} 500.0
        vllm:generation_tokens_created{engine="0",model_name="m"} 1.7e9
        vllm:prompt_tokens_total{engine="0",model_name="m"} 9000.0
        vllm:num_requests_running{engine="0",model_name="m"} 3.0
        """);
    assertThat(load.generationTokens()).isEqualTo(2000.0);
    assertThat(load.promptTokens()).isEqualTo(9000.0);
  }

  @Test
  void tokenCountersAbsentAreMinusOne() {
    EndpointLoad load = parse(CURRENT);
    assertThat(load.generationTokens()).isEqualTo(-1.0);
    assertThat(load.promptTokens()).isEqualTo(-1.0);
  }
}
