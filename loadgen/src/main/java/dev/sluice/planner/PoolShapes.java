package dev.sluice.planner;

/** The instance configurations a plan compares: where the planner gets its engines from. */
public interface PoolShapes {

  /** A short-pool instance whose context is {@code shortContext} tokens. */
  EngineSpec shortPool(int shortContext);

  /** A long-configured instance (the homogeneous fleet and the long pool) of {@code longContext} tokens. */
  EngineSpec longPool(int longContext);
}
