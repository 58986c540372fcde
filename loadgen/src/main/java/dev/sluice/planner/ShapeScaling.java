package dev.sluice.planner;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Pool shapes for any context length from the shipped {@code conf/mock} shapes: the KV cache (blocks) stays
 * the same and {@code max_num_seqs} scales inversely with {@code max_model_len}, so every slot can hold a
 * full-length sequence (128 slots at 8K, 256 at 4K, 512 at 2K; 16 at 64K). This is the sizing rule of the
 * fleet-sim A100 profile and the reason a short instance batches more requests.
 */
public final class ShapeScaling implements PoolShapes {
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

  @Override
  public EngineSpec shortPool(int shortContext) {
    return new EngineSpec(scaled(shortBase, shortContext, "short"), cost);
  }

  @Override
  public EngineSpec longPool(int longContext) {
    PoolShape shape = longSeqsFixed
        ? new PoolShape("long", longContext, longBase.maxNumSeqs(), longBase.numGpuBlocks(),
            longBase.maxNumBatchedTokens(), longBase.blockSize())
        : scaled(longBase, longContext, "long");
    return new EngineSpec(shape, cost);
  }

  static PoolShape scaled(PoolShape base, int context, String name) {
    long seqs = Math.max(1, Math.round((double) base.maxNumSeqs() * base.maxModelLen() / context));
    long kvSeqs = Math.max(1, base.kvTokens() / context);
    int maxNumSeqs = (int) Math.min(seqs, Math.max(kvSeqs, base.maxNumSeqs()));
    return new PoolShape(name, context, maxNumSeqs, base.numGpuBlocks(), base.maxNumBatchedTokens(),
        base.blockSize());
  }
}
