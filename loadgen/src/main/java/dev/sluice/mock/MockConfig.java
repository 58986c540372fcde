package dev.sluice.mock;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;

/**
 * Everything one mock vLLM instance needs.
 *
 * @param port             listen port (0 = any)
 * @param shape            engine capacity (max_model_len, max_num_seqs, KV blocks, token budget)
 * @param cost             step cost model ({@code gpu} or {@code instant})
 * @param tokenizer        how prompt tokens are counted
 * @param model            served model name
 * @param timeScale        virtual seconds per wall second (gpu timing runs this much faster than real time)
 * @param defaultMaxTokens output length when a request gives no max_tokens
 * @param faults           fault injection
 * @param exitOnDeath      when the die-after fault fires, also exit the JVM (CLI only)
 * @param usageNullChunks  with include_usage, end every chunk but the usage chunk with {@code "usage":null}
 *                         (OpenAI and vLLM up to 0.6 do; current vLLM chat omits the key)
 */
public record MockConfig(int port, PoolShape shape, CostModel cost, PromptCounter.Mode tokenizer, String model,
    double timeScale, int defaultMaxTokens, Faults faults, boolean exitOnDeath, boolean usageNullChunks) {

  public MockConfig {
    if (timeScale <= 0) {
      throw new IllegalArgumentException("time scale must be > 0");
    }
  }

  public static MockConfig of(PoolShape shape, CostModel cost, PromptCounter.Mode tokenizer) {
    return new MockConfig(0, shape, cost, tokenizer, MockDefaults.MODEL, 1.0, MockDefaults.DEFAULT_MAX_TOKENS,
        Faults.NONE, false, true);
  }

  public MockConfig withFaults(Faults f) {
    return new MockConfig(port, shape, cost, tokenizer, model, timeScale, defaultMaxTokens, f, exitOnDeath, usageNullChunks);
  }

  public MockConfig withTimeScale(double s) {
    return new MockConfig(port, shape, cost, tokenizer, model, s, defaultMaxTokens, faults, exitOnDeath, usageNullChunks);
  }

  public MockConfig withModel(String m) {
    return new MockConfig(port, shape, cost, tokenizer, m, timeScale, defaultMaxTokens, faults, exitOnDeath, usageNullChunks);
  }

  public MockConfig withUsageNullChunks(boolean b) {
    return new MockConfig(port, shape, cost, tokenizer, model, timeScale, defaultMaxTokens, faults, exitOnDeath, b);
  }

  public MockConfig withDefaultMaxTokens(int n) {
    return new MockConfig(port, shape, cost, tokenizer, model, timeScale, n, faults, exitOnDeath, usageNullChunks);
  }
}
