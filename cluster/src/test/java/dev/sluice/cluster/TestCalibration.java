package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.ClassStats;
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
  private final Map<String, ClassStats> localClasses = new ConcurrentHashMap<>();
  private volatile CalibrationState adopted = CalibrationState.EMPTY;
  private volatile CalibrationState restored = CalibrationState.EMPTY;
  private volatile Map<CalibrationKey, KeyStats> snapshot = Map.of();

  void learn(CalibrationKey key, KeyStats stats) {
    local.put(key, stats);
    rebuild();
  }

  void learn(String model, ClassStats stats) {
    localClasses.put(model, stats);
  }

  /** Class moments for tests: every value distinct, derived from {@code seed}; they need not solve to anything. */
  static ClassStats classStats(long samples, double weight, double seed) {
    double[] m = new double[ClassStats.length()];
    for (int i = 0; i < m.length; i++) {
      m[i] = seed + i * 0.25;
    }
    return new ClassStats(samples, weight, m, 0.03 * weight, weight);
  }

  Map<CalibrationKey, KeyStats> adopted() {
    return adopted.ratios();
  }

  Map<String, ClassStats> adoptedClasses() {
    return adopted.classes();
  }

  Map<CalibrationKey, KeyStats> restored() {
    return restored.ratios();
  }

  Map<String, ClassStats> restoredClasses() {
    return restored.classes();
  }

  /** The request path: bytes to tokens from the snapshot, a fixed 4 bytes per token when unknown. */
  double estimateTokens(CalibrationKey key, long bytes) {
    KeyStats s = snapshot.get(key);
    return s == null ? bytes / 4.0 : s.interceptTokens() + bytes / s.bytesPerToken();
  }

  @Override
  public CalibrationState localState() {
    return new CalibrationState(local, localClasses);
  }

  @Override
  public void adoptClusterState(CalibrationState others) {
    adopted = others;
    rebuild();
  }

  @Override
  public void restore(CalibrationState saved) {
    restored = saved;
    local.putAll(saved.ratios());
    localClasses.putAll(saved.classes());
    rebuild();
  }

  private synchronized void rebuild() {
    Map<CalibrationKey, KeyStats> next = new ConcurrentHashMap<>();
    Map<CalibrationKey, List<KeyStats>> parts = new ConcurrentHashMap<>();
    local.forEach((k, s) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(s));
    adopted.ratios().forEach((k, s) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(s));
    parts.forEach((k, l) -> {
      KeyStats m = KeyStats.merge(l);
      if (m != null) {
        next.put(k, m);
      }
    });
    snapshot = Map.copyOf(next);
  }
}
