package dev.sluice.loadgen;

import io.vertx.core.json.JsonObject;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.HdrHistogram.Histogram;

/**
 * A run's result under the field names and units of vLLM's serving benchmark ({@code vllm bench serve
 * --save-result}), so that notebooks and dashboards built on those files read ours. Every mapping, and where our
 * measurement differs from vLLM's, is tabled in docs/loadgen.md.
 *
 * <p>Latencies are milliseconds, throughputs per second, {@code duration} seconds, as in vLLM. TTFT, end-to-end
 * latency and TPOT come from the vLLM view ({@link RunResult.VllmView}: clocks start at the actual send) when it
 * was recorded, else from our own histograms (clocks start at the intended start).
 */
public final class VllmResult {

  /** Percentiles written for every metric, named as vLLM names them ({@code p99}, {@code p99.9}). */
  static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

  private VllmResult() {
  }

  /**
   * @param config the report's {@code config} (api, model, rate, arrival, burstiness, maxConcurrency, closed,
   *               stream, sloTtftMs, sloTpotMs, tokenizer, label)
   */
  public static JsonObject json(RunResult r, JsonObject config, LocalDateTime date) {
    RunResult.Group g = r.overall();
    RunResult.VllmView view = g.vllm();
    double duration = (r.spanNanos() > 0 ? r.spanNanos() : r.durationNanos()) / 1e9;
    boolean stream = config.getBoolean("stream", false);
    Api api = Api.parse(config.getString("api", Api.CHAT.id()));
    // as vLLM, the server's usage when every completed answer stated it; else our own counts
    boolean usage = g.completed() > 0 && g.usage().answers() == g.completed();
    long inputTokens = usage ? g.usage().inputTokens() : g.inputTokens();
    Long outputTokens = usage ? Long.valueOf(g.usage().outputTokens())
        : stream ? Long.valueOf(Math.max(0, g.tokens() - g.completed() * api.roleEvents())) : null;
    boolean slo = config.getDouble("sloTtftMs", 0.0) > 0 || config.getDouble("sloTpotMs", 0.0) > 0;
    int closed = config.getInteger("closed", 0);
    int maxConcurrency = closed > 0 ? closed : config.getInteger("maxConcurrency", 0);
    JsonObject out = new JsonObject()
        .put("date", date.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
        .put("endpoint_type", api.backend())
        .put("backend", api.backend())
        .put("label", config.getString("label"))
        .put("model_id", config.getString("model"))
        .put("tokenizer_id", config.getString("promptTokenizer", config.getString("tokenizer")))
        .put("num_prompts", r.scheduled())
        .put("request_rate", closed > 0 ? "inf" : config.getValue("rate"))
        .put("burstiness", burstiness(config))
        .put("max_concurrency", maxConcurrency > 0 ? maxConcurrency : null)
        .put("duration", duration)
        .put("completed", g.completed())
        .put("failed", r.errors() + r.unfinished() + r.blocked())
        .put("total_input_tokens", inputTokens)
        .put("total_output_tokens", outputTokens)
        .put("request_throughput", perSecond(g.completed(), duration))
        .put("request_goodput", slo ? perSecond(g.good(), duration) : null)
        .put("output_throughput", outputTokens == null ? null : perSecond(outputTokens, duration))
        .put("total_token_throughput", perSecond(inputTokens + (outputTokens == null ? 0 : outputTokens),
            duration));
    metric(out, "ttft", view != null ? view.ttft() : g.ttft());
    metric(out, "tpot", view != null ? view.tpot() : g.tpot());
    metric(out, "itl", g.itl());
    metric(out, "e2el", view != null ? view.latency() : g.latency());
    if (config.getInteger("maxConcurrency", 0) > 0) {
      metric(out, "client_queue_time", r.queueWait());
      metric(out, "e2el_including_client_queue", g.latency());
    }
    return out.put("sluice_clock", view != null ? "actual send" : "intended start")
        .put("sluice_tokens", usage ? "usage" : "bodies and events");
  }

  /** vLLM's {@code burstiness}: the gamma shape; 1 for Poisson, "inf" for evenly spaced arrivals. */
  private static Object burstiness(JsonObject config) {
    String arrival = config.getString("arrival");
    if (arrival == null) {
      return null;
    }
    return switch (arrival) {
      case "gamma" -> config.getDouble("burstiness");
      case "poisson" -> 1.0;
      default -> "inf";
    };
  }

  private static double perSecond(long n, double seconds) {
    return seconds <= 0 ? 0 : n / seconds;
  }

  /** {@code mean_X_ms}, {@code median_X_ms}, {@code std_X_ms} and {@code pNN_X_ms} from a histogram in microseconds. */
  static void metric(JsonObject out, String name, Histogram h) {
    boolean empty = h.getTotalCount() == 0;
    out.put("mean_" + name + "_ms", empty ? 0.0 : h.getMean() / 1000.0)
        .put("median_" + name + "_ms", empty ? 0.0 : h.getValueAtPercentile(50) / 1000.0)
        .put("std_" + name + "_ms", empty ? 0.0 : h.getStdDeviation() / 1000.0);
    for (double p : PERCENTILES) {
      String word = p == Math.rint(p) ? Integer.toString((int) p) : Double.toString(p);
      out.put("p" + word + "_" + name + "_ms", empty ? 0.0 : h.getValueAtPercentile(p) / 1000.0);
    }
  }
}
