package dev.sluice.planner;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.Engine;
import dev.sluice.engine.EngineListener;
import dev.sluice.engine.PoolShape;

/** One instance configuration: a pool shape and a step-time profile. Makes fresh engines for a run. */
public record EngineSpec(PoolShape shape, CostModel cost) {

  public Engine create(EngineListener listener) {
    return new Engine(shape, cost, listener);
  }

  /** Whether a request of this size is admissible at all (context and KV cache). */
  public boolean admits(int promptTokens, int outputTokens) {
    long total = (long) promptTokens + outputTokens;
    return total <= shape.maxModelLen() && (total + shape.blockSize() - 1) / shape.blockSize() <= shape.numGpuBlocks();
  }

  public String describe() {
    return String.format("%s(len %d, seqs %d, blocks %d, chunk %d, %s%s%s)", shape.name(), shape.maxModelLen(),
        shape.maxNumSeqs(), shape.numGpuBlocks(), shape.maxNumBatchedTokens(), cost.name(),
        shape.reserveFullIsl() ? "" : ", first-chunk admission", shape.enablePrefixCaching() ? "" : ", no prefix cache");
  }
}
