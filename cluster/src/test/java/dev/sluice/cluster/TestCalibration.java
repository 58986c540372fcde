package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.KeyStats;
import dev.sluice.calibration.SharedCalibration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A minimal learner for tests: local state is set directly, the adopted cluster state is kept as is, and
 * the "request path" reads one immutable snapshot combining both, like the real calibration does.
 */
final class TestCalibration implements SharedCalibration {

  private final Map<CalibrationKey, KeyStats> local = new ConcurrentHashMap<>();
  private volatile Map<CalibrationKey, KeyStats> adopted = Map.of();
  private volatile Map<CalibrationKey, KeyStats> restored = Map.of();
  private volatile Map<CalibrationKey, KeyStats> snapshot = Map.of();

  void learn(CalibrationKey key, KeyStats stats) {
    local.put(key, stats);
    rebuild();
  }

  Map<CalibrationKey, KeyStats> adopted() {
    return adopted;
  }

  Map<CalibrationKey, KeyStats> restored() {
    return restored;
  }

  /** The request path: bytes to tokens from the snapshot, a fixed 4 bytes per token when unknown. */
  double estimateTokens(CalibrationKey key, long bytes) {
    KeyStats s = snapshot.get(key);
    return s == null ? bytes / 4.0 : s.interceptTokens() + bytes / s.bytesPerToken();
  }

  @Override
  public Map<CalibrationKey, KeyStats> localState() {
    return Map.copyOf(local);
  }

  @Override
  public void adoptClusterState(Map<CalibrationKey, KeyStats> others) {
    adopted = Map.copyOf(others);
    rebuild();
  }

  @Override
  public void restore(Map<CalibrationKey, KeyStats> saved) {
    restored = Map.copyOf(saved);
    local.putAll(saved);
    rebuild();
  }

  private synchronized void rebuild() {
    Map<CalibrationKey, KeyStats> next = new ConcurrentHashMap<>();
    Map<CalibrationKey, List<KeyStats>> parts = new ConcurrentHashMap<>();
    local.forEach((k, s) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(s));
    adopted.forEach((k, s) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(s));
    parts.forEach((k, l) -> {
      KeyStats m = KeyStats.merge(l);
      if (m != null) {
        next.put(k, m);
      }
    });
    snapshot = Map.copyOf(next);
  }
}
