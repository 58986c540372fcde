package dev.sluice.cluster;

import java.util.Map;

/** This node's requests in flight per pool, read once per publish period (must be cheap and non-blocking). */
@FunctionalInterface
public interface PoolLoad {

  PoolLoad NONE = Map::of;

  Map<String, Integer> inflightByPool();
}
