package dev.sluice.mock;

import dev.sluice.engine.Engine;
import java.util.Locale;

/** {@code GET /metrics} in Prometheus text format, with vLLM's metric names and labels. */
final class Metrics {

  /** vLLM's TTFT histogram buckets (seconds). */
  static final double[] TTFT_BUCKETS = {
      0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
      160.0, 640.0, 2560.0};
  /** vLLM's end-to-end latency histogram buckets (seconds). */
  static final double[] E2E_BUCKETS = {
      0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0,
      1920.0, 7680.0};

  /** Every metric name exported, for tests and docs. */
  static final String[] NAMES = {
      "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc",
      "vllm:num_preemptions_total", "vllm:prompt_tokens_total", "vllm:generation_tokens_total",
      "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total", "vllm:time_to_first_token_seconds",
      "vllm:e2e_request_latency_seconds", "vllm:cache_config_info", "vllm:request_success_total"};

  /** A cumulative histogram, vLLM bucket bounds. */
  static final class Histogram {
    final double[] bounds;
    final long[] counts;
    long count;
    double sum;

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new long[bounds.length];
    }

    void observe(double seconds) {
      count++;
      sum += seconds;
      for (int i = 0; i < bounds.length; i++) {
        if (seconds <= bounds[i]) {
          counts[i]++;
          return;
        }
      }
    }
  }

  final Histogram ttft = new Histogram(TTFT_BUCKETS);
  final Histogram e2e = new Histogram(E2E_BUCKETS);
  long success;

  private final String labels;
  private final String model;

  Metrics(String model) {
    this.model = model.replace("\\", "\\\\").replace("\"", "\\\"");
    this.labels = "{engine=\"0\",model_name=\"" + this.model + "\"}";
  }

  String render(Engine engine) {
    StringBuilder b = new StringBuilder(4096);
    gauge(b, "vllm:num_requests_running", "Number of requests in model execution batches.", engine.running());
    gauge(b, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", engine.waiting());
    gauge(b, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", engine.kvUsage());
    counter(b, "vllm:num_preemptions", "Cumulative number of preemption from the engine.",
        engine.preemptionsTotal());
    counter(b, "vllm:prompt_tokens", "Number of prefill tokens processed.", engine.promptTokensTotal());
    counter(b, "vllm:generation_tokens", "Number of generation tokens processed.", engine.generationTokensTotal());
    counter(b, "vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.",
        engine.prefixCacheQueriesTotal());
    counter(b, "vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.",
        engine.prefixCacheHitsTotal());
    b.append("# HELP vllm:request_success_total Count of successfully processed requests.\n")
        .append("# TYPE vllm:request_success_total counter\n")
        .append("vllm:request_success_total{engine=\"0\",finished_reason=\"length\",model_name=\"").append(model)
        .append("\"} ").append(num(success)).append('\n');
    histogram(b, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", ttft);
    histogram(b, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", e2e);
    b.append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n")
        .append("# TYPE vllm:cache_config_info gauge\n")
        .append("vllm:cache_config_info{block_size=\"").append(engine.shape().blockSize())
        .append("\",enable_prefix_caching=\"").append(engine.shape().enablePrefixCaching() ? "True" : "False")
        .append("\",engine=\"0\",num_gpu_blocks=\"").append(engine.shape().numGpuBlocks())
        .append("\"} 1.0\n");
    return b.toString();
  }

  private void gauge(StringBuilder b, String name, String help, double value) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n")
        .append(name).append(labels).append(' ').append(num(value)).append('\n');
  }

  private void counter(StringBuilder b, String base, String help, double value) {
    b.append("# HELP ").append(base).append("_total ").append(help).append('\n')
        .append("# TYPE ").append(base).append("_total counter\n")
        .append(base).append("_total").append(labels).append(' ').append(num(value)).append('\n');
  }

  private void histogram(StringBuilder b, String name, String help, Histogram h) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" histogram\n");
    long cumulative = 0;
    String inner = labels.substring(1, labels.length() - 1);
    for (int i = 0; i < h.bounds.length; i++) {
      cumulative += h.counts[i];
      b.append(name).append("_bucket{").append(inner).append(",le=\"").append(num(h.bounds[i])).append("\"} ")
          .append(num(cumulative)).append('\n');
    }
    b.append(name).append("_bucket{").append(inner).append(",le=\"+Inf\"} ").append(num(h.count)).append('\n');
    b.append(name).append("_count").append(labels).append(' ').append(num(h.count)).append('\n');
    b.append(name).append("_sum").append(labels).append(' ').append(num(h.sum)).append('\n');
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%s", v == Math.rint(v) && Math.abs(v) < 1e15 ? (long) v + ".0" : v);
  }
}
