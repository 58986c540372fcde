package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.ClassStats;
import dev.sluice.calibration.KeyStats;
import java.util.Map;

/**
 * What a member may publish, checked on every entry read from another member before it is merged. Hazelcast's
 * open-source edition has no member authentication, so a member that is broken (a bad clock, a bug) or not
 * one of ours at all can write any entry; every node merges what it reads into its routing. An entry that
 * fails any check is dropped whole and counted ({@code sluice_cluster_rejected_entries_total}); the node goes
 * on with what it has. The bounds are wide around what a node can learn ({@link CalibrationParams}): they keep
 * out values that could only come from a fault, not judge a member's calibration.
 */
final class EntryCheck {
  /** An entry stamped later than this ahead of the reader's clock is refused: a year ahead would outlive every TTL. */
  static final long MAX_CLOCK_AHEAD_MS = 60_000;
  static final double MIN_BYTES_PER_TOKEN = CalibrationParams.DEFAULT_MIN_BYTES_PER_TOKEN / 2;
  static final double MAX_BYTES_PER_TOKEN = CalibrationParams.DEFAULT_MAX_BYTES_PER_TOKEN * 2;
  static final double MAX_INTERCEPT_TOKENS = CalibrationParams.DEFAULT_MAX_INTERCEPT_TOKENS * 10;
  /** More samples than a node could see in years at any rate. */
  static final double MAX_SAMPLES = 1e12;
  static final int MAX_INFLIGHT = 10_000_000;
  static final int MAX_NAME_LENGTH = 256;

  private EntryCheck() {
  }

  /**
   * What is wrong with {@code e}, read under {@code readAs} at {@code nowMillis} on the reader's clock, or null
   * when it may be merged.
   */
  static String problem(NodeEntry e, String readAs, long nowMillis) {
    if (!readAs.equals(e.nodeId())) {
      return "it claims to be node " + e.nodeId();
    }
    String when = time(e.at(), nowMillis);
    if (when != null) {
      return when;
    }
    String own = stats(e.own());
    if (own != null) {
      return own;
    }
    for (Map.Entry<String, NodeEntry.Carried> c : e.carried().entrySet()) {
      String carried = time(c.getValue().at(), nowMillis);
      if (carried == null) {
        carried = stats(c.getValue().stats());
      }
      if (carried != null) {
        return "its carried state of " + c.getKey() + ": " + carried;
      }
    }
    for (Map.Entry<String, Integer> in : e.inflight().entrySet()) {
      if (in.getValue() == null || in.getValue() < 0 || in.getValue() > MAX_INFLIGHT) {
        return "in-flight count " + in.getValue() + " for pool " + in.getKey();
      }
    }
    return null;
  }

  private static String time(long at, long nowMillis) {
    if (at <= 0) {
      return "publish time " + at;
    }
    if (at - nowMillis > MAX_CLOCK_AHEAD_MS) {
      return "publish time " + (at - nowMillis) / 1000 + " s ahead of this node's clock";
    }
    return null;
  }

  private static String stats(CalibrationState state) {
    String ratios = ratios(state.ratios());
    return ratios != null ? ratios : classes(state.classes());
  }

  private static String ratios(Map<CalibrationKey, KeyStats> rows) {
    for (Map.Entry<CalibrationKey, KeyStats> row : rows.entrySet()) {
      CalibrationKey k = row.getKey();
      KeyStats s = row.getValue();
      String key = k.model() + "/" + k.category();
      if (k.model() == null || k.model().length() > MAX_NAME_LENGTH || k.category() == null
          || k.category().length() > MAX_NAME_LENGTH) {
        return "a key name longer than " + MAX_NAME_LENGTH;
      }
      if (s.samples() < 0 || s.samples() > MAX_SAMPLES) {
        return key + ": " + s.samples() + " samples";
      }
      if (!(s.weight() > 0) || !(s.weight() <= MAX_SAMPLES)) {
        return key + ": weight " + s.weight();
      }
      if (!(s.bytesPerToken() >= MIN_BYTES_PER_TOKEN && s.bytesPerToken() <= MAX_BYTES_PER_TOKEN)) {
        return key + ": " + s.bytesPerToken() + " bytes per token";
      }
      if (!(Math.abs(s.interceptTokens()) <= MAX_INTERCEPT_TOKENS)) {
        return key + ": intercept " + s.interceptTokens() + " tokens";
      }
      if (!(s.spread() >= 0 && s.spread() <= MAX_BYTES_PER_TOKEN)) {
        return key + ": spread " + s.spread();
      }
    }
    return null;
  }

  /**
   * A model's byte-class equations: sums of squares that a fault (NaN, infinity, a negative square) would carry
   * into every node's solved weights.
   */
  private static String classes(Map<String, ClassStats> rows) {
    for (Map.Entry<String, ClassStats> row : rows.entrySet()) {
      String model = row.getKey();
      ClassStats s = row.getValue();
      if (model == null || model.length() > MAX_NAME_LENGTH) {
        return "a model name longer than " + MAX_NAME_LENGTH;
      }
      if (s.samples() < 0 || s.samples() > MAX_SAMPLES) {
        return model + " classes: " + s.samples() + " samples";
      }
      if (!(s.weight() > 0) || !(s.weight() <= MAX_SAMPLES)) {
        return model + " classes: weight " + s.weight();
      }
      if (!(s.devSum() >= 0 && s.devWeight() >= 0) || Double.isInfinite(s.devSum())
          || Double.isInfinite(s.devWeight())) {
        return model + " classes: spread sums " + s.devSum() + ", " + s.devWeight();
      }
      double[] m = s.moments();
      for (double v : m) {
        if (!Double.isFinite(v)) {
          return model + " classes: a moment of " + v;
        }
      }
      for (int i = 0; i < ClassStats.dimension(); i++) {
        if (m[ClassStats.diagonal(i)] < 0) {
          return model + " classes: a negative sum of squares";
        }
      }
    }
    return null;
  }
}
