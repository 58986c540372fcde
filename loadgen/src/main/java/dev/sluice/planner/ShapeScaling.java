package dev.sluice.planner;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.GpuClass;
import dev.sluice.engine.PoolShape;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Pool shapes for any context length from the shipped {@code conf/mock} shapes: the KV cache (blocks) stays
 * the same and {@code max_num_seqs} scales inversely with {@code max_model_len}, so every slot can hold a
 * full-length sequence (128 slots at 8K, 256 at 4K, 512 at 2K; 16 at 64K). This is the sizing rule of the
 * fleet-sim A100 profile and the reason a short instance batches more requests. The scaled count stops at the
 * step budget, because vLLM refuses {@code max_num_batched_tokens < max_num_seqs}.
 *
 * <p>The long configuration (the homogeneous fleet and the long pool) can instead be given a fixed
 * {@code max_num_seqs}: vLLM's own default for the GPU (256 on an A100) admits more sequences than the cache
 * holds at full context, allocates blocks on demand and preempts when they run out.
 */
public final class ShapeScaling {
  private final PoolShape shortBase;
  private final PoolShape longBase;
  private final CostModel cost;
  private final boolean longSeqsFixed;

  public ShapeScaling(PoolShape shortBase, PoolShape longBase, CostModel cost) {
    this(shortBase, longBase, cost, false);
  }

  private ShapeScaling(PoolShape shortBase, PoolShape longBase, CostModel cost, boolean longSeqsFixed) {
    this.shortBase = shortBase;
    this.longBase = longBase;
    this.cost = cost;
    this.longSeqsFixed = longSeqsFixed;
  }

  /** The shapes named {@code short} and {@code long} in conf/mock with the named step-time profile. */
  public static ShapeScaling shipped(String profile) {
    try {
      return new ShapeScaling(PoolShape.named("short"), PoolShape.named("long"), CostModel.named(profile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The same shapes with the long configuration's {@code max_num_seqs} set outright: a long instance that
   * admits more sequences than its KV cache holds at full length, as vLLM allows, and preempts when the
   * cache runs out.
   */
  public ShapeScaling withLongMaxNumSeqs(int maxNumSeqs) {
    return new ShapeScaling(shortBase, longBase.withMaxNumSeqs(maxNumSeqs), cost, true);
  }

  /** Every pool with this step budget ({@code max_num_batched_tokens}). */
  public ShapeScaling withMaxNumBatchedTokens(int budget) {
    return new ShapeScaling(shortBase.withMaxNumBatchedTokens(budget), longBase.withMaxNumBatchedTokens(budget),
        cost, longSeqsFixed);
  }

  /** Every pool with vLLM's full-sequence admission gate on (its default) or off. */
  public ShapeScaling withReserveFullIsl(boolean on) {
    return new ShapeScaling(shortBase.withReserveFullIsl(on), longBase.withReserveFullIsl(on), cost, longSeqsFixed);
  }

  /** Every pool with vLLM's prefix caching on (its default) or off. */
  public ShapeScaling withPrefixCaching(boolean on) {
    return new ShapeScaling(shortBase.withPrefixCaching(on), longBase.withPrefixCaching(on), cost, longSeqsFixed);
  }

  /** The long configuration's {@code max_num_seqs} at which every sequence can grow to {@code longContext}. */
  public int fullContextSafeMaxNumSeqs(int longContext) {
    return longBase.fullContextSeqs(longContext);
  }

  /** What {@code vllm serve} sets {@code max_num_seqs} to on the long configuration's GPU when not told. */
  public int vllmDefaultMaxNumSeqs() {
    return longBase.gpu().defaultMaxNumSeqs();
  }

  /** The long configuration's GPU. */
  public GpuClass gpu() {
    return longBase.gpu();
  }

  /** KV tokens one long-configured instance holds. */
  public long kvTokens() {
    return longBase.kvTokens();
  }

  public CostModel cost() {
    return cost;
  }

  /** A short-pool instance whose context is {@code shortContext} tokens. */
  public EngineSpec shortPool(int shortContext) {
    return new EngineSpec(scaled(shortBase, shortContext, "short"), cost);
  }

  /** A long-configured instance (the homogeneous fleet and the long pool) of {@code longContext} tokens. */
  public EngineSpec longPool(int longContext) {
    PoolShape shape = longSeqsFixed
        ? longBase.withName("long").withMaxModelLen(longContext)
        : scaled(longBase, longContext, "long");
    return new EngineSpec(shape, cost);
  }

  static PoolShape scaled(PoolShape base, int context, String name) {
    long seqs = Math.max(1, Math.round((double) base.maxNumSeqs() * base.maxModelLen() / context));
    long kvSeqs = base.fullContextSeqs(context);
    long maxNumSeqs = Math.min(Math.min(seqs, Math.max(kvSeqs, base.maxNumSeqs())), base.maxNumBatchedTokens());
    return base.withName(name).withMaxModelLen(context).withMaxNumSeqs((int) maxNumSeqs);
  }
}
