package dev.sluice.mock;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import java.util.List;

/**
 * Everything one mock vLLM instance needs.
 *
 * @param host             address to bind: every interface, or one such as 127.0.0.2 to run endpoints on
 *                         distinct loopback addresses
 * @param port             listen port (0 = any)
 * @param shape            engine capacity (max_model_len, max_num_seqs, KV blocks, token budget)
 * @param cost             step cost model ({@code gpu} or {@code instant})
 * @param tokenizer        how prompt tokens are counted
 * @param models           served model names, as vLLM's {@code --served-model-name a b c}: every one is accepted in
 *                         requests, the first is the one responses report
 * @param timeScale        virtual seconds per wall second (gpu timing runs this much faster than real time)
 * @param defaultMaxTokens output length when a request gives no max_tokens
 * @param faults           fault injection
 * @param exitOnDeath      when the die-after fault fires, also exit the JVM (CLI only)
 * @param api              how the server answers beyond capacity and timing
 */
public record MockConfig(String host, int port, PoolShape shape, CostModel cost, PromptCounter.Mode tokenizer,
    List<String> models, double timeScale, int defaultMaxTokens, Faults faults, boolean exitOnDeath, Api api) {

  /**
   * How the server answers, beyond capacity and timing.
   *
   * @param version              which vLLM's wording and defaults
   * @param usageNullChunks      with include_usage, end every chunk but the usage chunk with {@code "usage":null}
   *                             (OpenAI's rule and vLLM up to 0.6; later vLLM leaves the key out)
   * @param maxNumQueuedReqs     refuse with 503 once this many requests are waiting or running, as vLLM's
   *                             {@code --max-num-queued-reqs} (0 = no limit, vLLM's default)
   * @param lengthErrorsInStream answer a streaming request that is too long with a 200 whose stream is the
   *                             refusal as an error event, as SGLang does, instead of vLLM's 400
   */
  public record Api(VllmVersion version, boolean usageNullChunks, int maxNumQueuedReqs, boolean lengthErrorsInStream) {
    /** Current vLLM with its defaults. */
    public static final Api CURRENT = new Api(VllmVersion.CURRENT, false, 0, false);

    public Api {
      if (maxNumQueuedReqs < 0) {
        throw new IllegalArgumentException("max_num_queued_reqs must be >= 0");
      }
    }

    public Api withVersion(VllmVersion v) {
      return new Api(v, usageNullChunks, maxNumQueuedReqs, lengthErrorsInStream);
    }

    public Api withMaxNumQueuedReqs(int n) {
      return new Api(version, usageNullChunks, n, lengthErrorsInStream);
    }

    public Api withLengthErrorsInStream(boolean b) {
      return new Api(version, usageNullChunks, maxNumQueuedReqs, b);
    }
  }

  public MockConfig {
    if (timeScale <= 0) {
      throw new IllegalArgumentException("time scale must be > 0");
    }
    models = List.copyOf(models);
    if (models.isEmpty()) {
      throw new IllegalArgumentException("at least one served model name");
    }
  }

  /** The name responses report: the first served name (vLLM's {@code OpenAIServingModels.model_name}). */
  public String model() {
    return models.get(0);
  }

  /** Whether a request may name this model: any served name, or none at all. */
  public boolean serves(String name) {
    return name == null || name.isEmpty() || models.contains(name);
  }

  public static MockConfig of(PoolShape shape, CostModel cost, PromptCounter.Mode tokenizer) {
    return new MockConfig(MockDefaults.HOST, 0, shape, cost, tokenizer, List.of(MockDefaults.MODEL), 1.0, MockDefaults.DEFAULT_MAX_TOKENS,
        Faults.NONE, false, Api.CURRENT);
  }

  /** Listening on {@code address} and {@code listenPort} (0 = any). */
  public MockConfig withAddress(String address, int listenPort) {
    return new MockConfig(address, listenPort, shape, cost, tokenizer, models, timeScale, defaultMaxTokens, faults,
        exitOnDeath, api);
  }

  public MockConfig withFaults(Faults f) {
    return new MockConfig(host, port, shape, cost, tokenizer, models, timeScale, defaultMaxTokens, f, exitOnDeath, api);
  }

  public MockConfig withCost(CostModel c) {
    return new MockConfig(host, port, shape, c, tokenizer, models, timeScale, defaultMaxTokens, faults, exitOnDeath, api);
  }

  public MockConfig withTimeScale(double s) {
    return new MockConfig(host, port, shape, cost, tokenizer, models, s, defaultMaxTokens, faults, exitOnDeath, api);
  }

  public MockConfig withModel(String m) {
    return withModels(List.of(m));
  }

  /** Serving every one of these names; the first is reported. */
  public MockConfig withModels(List<String> names) {
    return new MockConfig(host, port, shape, cost, tokenizer, names, timeScale, defaultMaxTokens, faults, exitOnDeath,
        api);
  }

  public MockConfig withApi(Api a) {
    return new MockConfig(host, port, shape, cost, tokenizer, models, timeScale, defaultMaxTokens, faults, exitOnDeath, a);
  }

  public MockConfig withUsageNullChunks(boolean b) {
    return withApi(new Api(api.version(), b, api.maxNumQueuedReqs(), api.lengthErrorsInStream()));
  }

  public MockConfig withDefaultMaxTokens(int n) {
    return new MockConfig(host, port, shape, cost, tokenizer, models, timeScale, n, faults, exitOnDeath, api);
  }
}
