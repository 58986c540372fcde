package dev.sluice.engine;

/**
 * Duration of one engine step (one forward pass over the scheduled batch):
 *
 * <pre>
 *   step = base + perPrefillToken * prefillTokens + perDecodeSeq * decodeSeqs + perContextToken * contextTokens
 * </pre>
 *
 * {@code prefillTokens} are the prompt (or recomputed) tokens processed this step, {@code decodeSeqs} the
 * sequences generating one token, and {@code contextTokens} the KV positions the batch attends to (for each
 * scheduled sequence, its computed length after the step). The base term is the weight read and launch cost
 * paid once per step however many sequences share it, which is why a wider batch has higher throughput.
 * All parameters in microseconds. See docs/engine-model.md for the calibration.
 */
public record CostModel(String name, double baseMicros, double perPrefillTokenMicros, double perDecodeSeqMicros,
    double perContextTokenMicros) {

  /**
   * Llama-3-70B on one 8x A100-80GB instance (TP8). Base 8 ms and 0.65 ms per sequence at 8192 context are
   * the fleet-sim A100 calibration (W, H); H is spread per context token (0.65 ms / 8192). Prefill at
   * 0.1 ms per token is 141 GFLOP per token over 8 x 312 TFLOP/s at about 56% utilisation (~10k tokens/s).
   */
  public static final CostModel GPU = new CostModel("gpu", 8_000.0, 100.0, 0.0, 650.0 / 8192.0);

  /** No service time at all: every step finishes at the instant it starts. For proxy-overhead runs. */
  public static final CostModel INSTANT = new CostModel("instant", 0.0, 0.0, 0.0, 0.0);

  public CostModel {
    if (baseMicros < 0 || perPrefillTokenMicros < 0 || perDecodeSeqMicros < 0 || perContextTokenMicros < 0) {
      throw new IllegalArgumentException("cost model parameters must be >= 0");
    }
  }

  /** Step duration in nanoseconds, rounded. */
  public long stepNanos(long prefillTokens, long decodeSeqs, long contextTokens) {
    double micros = baseMicros + perPrefillTokenMicros * prefillTokens + perDecodeSeqMicros * decodeSeqs
        + perContextTokenMicros * contextTokens;
    return Math.round(micros * 1_000.0);
  }

  /**
   * Time to first token of a request alone on an idle instance: its prompt prefilled in chunks of {@code budget}
   * tokens, one step each, the first token sampled at the end of the last. No load can make it faster, so it is
   * the floor under any TTFT objective.
   */
  public long aloneTtftNanos(int promptTokens, int budget) {
    long t = 0;
    int computed = 0;
    while (computed < promptTokens) {
      int n = Math.min(budget, promptTokens - computed);
      computed += n;
      t += stepNanos(n, 0, computed);
    }
    return t;
  }

  /** End-to-end time of a request alone on an idle instance: {@link #aloneTtftNanos} and one decode step per further token. */
  public long aloneE2eNanos(int promptTokens, int outputTokens, int budget) {
    long t = aloneTtftNanos(promptTokens, budget);
    for (int j = 1; j < outputTokens; j++) {
      t += stepNanos(0, 1, promptTokens + j);
    }
    return t;
  }

  /** {@code gpu} or {@code instant}. */
  public static CostModel named(String name) {
    return switch (name) {
      case "gpu" -> GPU;
      case "instant" -> INSTANT;
      default -> throw new IllegalArgumentException("unknown timing '" + name + "' (gpu|instant)");
    };
  }
}
