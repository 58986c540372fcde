package dev.sluice.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The capacity knobs of one vLLM instance, as in its engine arguments. The named shapes live in
 * {@code conf/mock/<name>.properties} (the only place their numbers are written); what a file leaves out takes
 * vLLM's default for the file's {@code gpu}.
 *
 * @param reserveFullIsl vLLM's {@code scheduler_reserve_full_isl} (default true): a waiting or preempted request
 *                       is admitted only when KV blocks for its whole current sequence are free, not just for
 *                       its first prefill chunk
 * @param enablePrefixCaching vLLM's {@code enable_prefix_caching} (default true in V1): full KV blocks are
 *                       cached by content and a request reuses the longest cached run of its leading blocks
 * @param gpu            the GPU whose vLLM defaults fill in what a shape file does not say
 */
public record PoolShape(String name, int maxModelLen, int maxNumSeqs, int numGpuBlocks, int maxNumBatchedTokens,
    int blockSize, boolean reserveFullIsl, boolean enablePrefixCaching, GpuClass gpu) {

  /** vLLM's KV block size for CUDA attention backends. */
  public static final int DEFAULT_BLOCK_SIZE = 16;

  public PoolShape {
    if (maxModelLen < 1 || maxNumSeqs < 1 || numGpuBlocks < 1 || maxNumBatchedTokens < 1 || blockSize < 1) {
      throw new IllegalArgumentException("pool shape values must be >= 1: " + name);
    }
    if (gpu == null) {
      throw new IllegalArgumentException("pool shape needs a GPU: " + name);
    }
  }

  /** A shape with vLLM's default admission gate and prefix caching on an A100-80GB. */
  public PoolShape(String name, int maxModelLen, int maxNumSeqs, int numGpuBlocks, int maxNumBatchedTokens,
      int blockSize) {
    this(name, maxModelLen, maxNumSeqs, numGpuBlocks, maxNumBatchedTokens, blockSize, true, true,
        GpuClass.A100_80GB);
  }

  /**
   * Why vLLM would refuse to start with these settings, in its own words, or null when it would start. Kept
   * apart from the constructor so that overrides can be applied in any order and checked once at the end.
   */
  public String startupError() {
    if (maxNumBatchedTokens < maxNumSeqs) {
      // SchedulerConfig.verify_max_model_len in vllm/config/scheduler.py
      return "max_num_batched_tokens (" + maxNumBatchedTokens + ") must be greater than or equal to max_num_seqs ("
          + maxNumSeqs + ")";
    }
    return null;
  }

  public PoolShape withMaxModelLen(int v) {
    return new PoolShape(name, v, maxNumSeqs, numGpuBlocks, maxNumBatchedTokens, blockSize, reserveFullIsl,
        enablePrefixCaching, gpu);
  }

  public PoolShape withMaxNumSeqs(int v) {
    return new PoolShape(name, maxModelLen, v, numGpuBlocks, maxNumBatchedTokens, blockSize, reserveFullIsl,
        enablePrefixCaching, gpu);
  }

  public PoolShape withNumGpuBlocks(int v) {
    return new PoolShape(name, maxModelLen, maxNumSeqs, v, maxNumBatchedTokens, blockSize, reserveFullIsl,
        enablePrefixCaching, gpu);
  }

  public PoolShape withMaxNumBatchedTokens(int v) {
    return new PoolShape(name, maxModelLen, maxNumSeqs, numGpuBlocks, v, blockSize, reserveFullIsl,
        enablePrefixCaching, gpu);
  }

  public PoolShape withReserveFullIsl(boolean v) {
    return new PoolShape(name, maxModelLen, maxNumSeqs, numGpuBlocks, maxNumBatchedTokens, blockSize, v,
        enablePrefixCaching, gpu);
  }

  public PoolShape withPrefixCaching(boolean v) {
    return new PoolShape(name, maxModelLen, maxNumSeqs, numGpuBlocks, maxNumBatchedTokens, blockSize, reserveFullIsl,
        v, gpu);
  }

  public PoolShape withName(String v) {
    return new PoolShape(v, maxModelLen, maxNumSeqs, numGpuBlocks, maxNumBatchedTokens, blockSize, reserveFullIsl,
        enablePrefixCaching, gpu);
  }

  /** Sequences the KV cache holds when every one of them grows to {@code contextTokens}. */
  public int fullContextSeqs(int contextTokens) {
    return (int) Math.max(1, kvTokens() / contextTokens);
  }

  /** KV tokens the cache holds. */
  public long kvTokens() {
    return (long) numGpuBlocks * blockSize;
  }

  /** Reads {@code max_model_len}, {@code max_num_seqs}, {@code num_gpu_blocks} and optional keys from a file. */
  public static PoolShape load(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Properties p = new Properties();
      p.load(in);
      String base = file.getFileName().toString();
      String name = base.endsWith(".properties") ? base.substring(0, base.length() - ".properties".length()) : base;
      return fromProperties(name, p);
    }
  }

  /**
   * A named shape from {@code conf/mock}: looked up under the system property {@code sluice.home}, then in the
   * working directory and its parents (so tests run from a module directory find it too).
   */
  public static PoolShape named(String name) throws IOException {
    Path file = confDir().resolve(name + ".properties");
    if (!Files.isRegularFile(file)) {
      throw new IOException("no pool shape '" + name + "' (looked for " + file + ")");
    }
    return load(file);
  }

  /** The {@code conf/mock} directory. */
  public static Path confDir() throws IOException {
    String home = System.getProperty("sluice.home");
    if (home != null && Files.isDirectory(Path.of(home, "conf", "mock"))) {
      return Path.of(home, "conf", "mock");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("conf").resolve("mock");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IOException("conf/mock not found (set -Dsluice.home)");
  }

  /**
   * {@code max_model_len} and {@code num_gpu_blocks} are required; {@code gpu} defaults to a100-80gb (the GPU of
   * the {@code gpu} step-cost profile), {@code max_num_batched_tokens} and {@code max_num_seqs} to vLLM's
   * defaults for that GPU (the latter capped at the former, as vLLM caps it), {@code block_size} to 16,
   * {@code scheduler_reserve_full_isl} and {@code enable_prefix_caching} to true.
   */
  static PoolShape fromProperties(String name, Properties p) {
    String gpuSpec = p.getProperty("gpu");
    GpuClass gpu = gpuSpec == null ? GpuClass.A100_80GB : GpuClass.parse(gpuSpec);
    int budget = intProp(p, "max_num_batched_tokens", gpu.defaultMaxNumBatchedTokens());
    // like vllm serve, a defaulted max_num_seqs never exceeds the step budget; a stated one may (and is refused)
    int seqs = intProp(p, "max_num_seqs", Math.min(gpu.defaultMaxNumSeqs(), budget));
    return new PoolShape(name, intProp(p, "max_model_len", null), seqs, intProp(p, "num_gpu_blocks", null), budget,
        intProp(p, "block_size", DEFAULT_BLOCK_SIZE), boolProp(p, "scheduler_reserve_full_isl"),
        boolProp(p, "enable_prefix_caching"), gpu);
  }

  /** A true|false key, true when absent (both of the shape's switches default to on, as in vLLM). */
  private static boolean boolProp(Properties p, String key) {
    String v = p.getProperty(key, "true").trim();
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(key + " is true or false: " + v);
    }
    return v.equals("true");
  }

  /** Parses a shape from properties text (for tests and embedded use). */
  public static PoolShape parse(String name, InputStream in) throws IOException {
    Properties p = new Properties();
    p.load(in);
    return fromProperties(name, p);
  }

  private static int intProp(Properties p, String key, Integer fallback) {
    String v = p.getProperty(key);
    if (v == null) {
      if (fallback == null) {
        throw new IllegalArgumentException("missing " + key);
      }
      return fallback;
    }
    return Integer.parseInt(v.trim().replace("_", ""));
  }
}
