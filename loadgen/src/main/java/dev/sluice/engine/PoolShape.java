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
 * {@code conf/mock/<name>.properties} (the only place their numbers are written).
 */
public record PoolShape(String name, int maxModelLen, int maxNumSeqs, int numGpuBlocks, int maxNumBatchedTokens,
    int blockSize) {

  /** vLLM's KV block size for CUDA attention backends. */
  public static final int DEFAULT_BLOCK_SIZE = 16;
  /** Prefill chunk per step when a shape file does not say (the fleet-sim A100 chunk). */
  public static final int DEFAULT_MAX_NUM_BATCHED_TOKENS = 512;

  public PoolShape {
    if (maxModelLen < 1 || maxNumSeqs < 1 || numGpuBlocks < 1 || maxNumBatchedTokens < 1 || blockSize < 1) {
      throw new IllegalArgumentException("pool shape values must be >= 1: " + name);
    }
  }

  public PoolShape withMaxModelLen(int v) {
    return new PoolShape(name, v, maxNumSeqs, numGpuBlocks, maxNumBatchedTokens, blockSize);
  }

  public PoolShape withMaxNumSeqs(int v) {
    return new PoolShape(name, maxModelLen, v, numGpuBlocks, maxNumBatchedTokens, blockSize);
  }

  public PoolShape withNumGpuBlocks(int v) {
    return new PoolShape(name, maxModelLen, maxNumSeqs, v, maxNumBatchedTokens, blockSize);
  }

  public PoolShape withMaxNumBatchedTokens(int v) {
    return new PoolShape(name, maxModelLen, maxNumSeqs, numGpuBlocks, v, blockSize);
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

  static PoolShape fromProperties(String name, Properties p) {
    return new PoolShape(name, intProp(p, "max_model_len", null), intProp(p, "max_num_seqs", null),
        intProp(p, "num_gpu_blocks", null), intProp(p, "max_num_batched_tokens", DEFAULT_MAX_NUM_BATCHED_TOKENS),
        intProp(p, "block_size", DEFAULT_BLOCK_SIZE));
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
