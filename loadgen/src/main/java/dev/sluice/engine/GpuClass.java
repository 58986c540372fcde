package dev.sluice.engine;

import java.util.Locale;

/**
 * A GPU as vLLM sees it when it picks its scheduler defaults: the device name and its memory. The OpenAI
 * server ({@code vllm serve}) defaults to {@code max_num_seqs} 1024 and {@code max_num_batched_tokens} 8192 on
 * a GPU with at least 70 GiB that is not an A100 (H100, H200, MI300X), and to 256 and 2048 on every other GPU,
 * A100-80GB included: vLLM measured that the larger step budget lowers A100 throughput. Source:
 * {@code EngineArgs.get_batch_defaults} in vllm/engine/arg_utils.py (docs/engine-model.md).
 *
 * @param device    the device name, lower case, as in {@code a100}, {@code h100}
 * @param memoryGib its memory in GiB
 */
public record GpuClass(String device, int memoryGib) {

  /** The memory from which vLLM takes a GPU for a large one (unless it is an A100). */
  static final int LARGE_MEMORY_GIB = 70;
  /** The GPU of the {@code gpu} step-cost profile and of the shipped pool shapes. */
  public static final GpuClass A100_80GB = new GpuClass("a100", 80);

  public GpuClass {
    device = device.toLowerCase(Locale.ROOT);
    if (device.isBlank() || memoryGib < 1) {
      throw new IllegalArgumentException("a GPU needs a name and its memory: " + device + " " + memoryGib);
    }
  }

  /** Whether vLLM gives this GPU the larger defaults. */
  public boolean large() {
    return memoryGib >= LARGE_MEMORY_GIB && !device.contains("a100");
  }

  /** {@code max_num_seqs} when {@code vllm serve} is not given one. */
  public int defaultMaxNumSeqs() {
    return large() ? 1024 : 256;
  }

  /** {@code max_num_batched_tokens} when {@code vllm serve} is not given one (chunked prefill on). */
  public int defaultMaxNumBatchedTokens() {
    return large() ? 8192 : 2048;
  }

  /** Parses {@code NAME-NNgb}, as in {@code a100-80gb}, {@code h100-80gb}, {@code h200-141gb}, {@code l40s-48gb}. */
  public static GpuClass parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    int dash = s.lastIndexOf('-');
    if (dash <= 0 || !s.endsWith("gb")) {
      throw new IllegalArgumentException("GPU '" + spec + "' is not NAME-NNgb (for example a100-80gb, h100-80gb)");
    }
    try {
      return new GpuClass(s.substring(0, dash), Integer.parseInt(s.substring(dash + 1, s.length() - 2)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("GPU '" + spec + "' is not NAME-NNgb (for example a100-80gb, h100-80gb)");
    }
  }

  @Override
  public String toString() {
    return device + "-" + memoryGib + "gb";
  }
}
