package dev.sluice.calibration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A node's calibration: learned locally from usage samples, combined with what the other nodes
 * publish, read by routing without locks.
 *
 * <p><b>Reads</b> ({@link #view}): one lookup of the model in a concurrent map (lock-free reads) and one
 * volatile array read at the category's ordinal; the result is an immutable, precomputed {@link KeyView}.
 * Cost does not depend on the number of categories or models.
 *
 * <p><b>Writes</b> ({@link #observe}, from any event loop): the key's immutable {@link KeyMoments} is
 * replaced with a compare-and-set loop (a retry only when two responses of the same key land at the
 * same instant), then the key's view is rebuilt and installed with a second compare-and-set that only
 * ever moves a view forward: each view records the local sequence and cluster epoch it was built from,
 * and a writer gives up as soon as the installed view covers the versions it saw. No lock is taken and
 * no sample is lost; a sample costs two small allocations. Folding on every sample (rather than on a
 * timer) keeps single-node deployments free of any scheduling duty.
 *
 * <p><b>Cluster</b> ({@link #localState}, {@link #adoptClusterState}, {@link #restore}, through
 * {@link NodeCalibration}): called off the event loop every publish period.
 */
public final class CalibrationTable {

  private final CalibrationParams params;
  private final KeyView[] priorViews;
  private final ModelRows<ModelRow> rows;
  private final LongAdder rejected = new LongAdder();
  private volatile long clusterEpoch;

  public CalibrationTable(CalibrationParams params) {
    this.params = params;
    this.priorViews = new KeyView[ContentCategory.count()];
    for (ContentCategory c : ContentCategory.values()) {
      priorViews[c.ordinal()] = priorView(c, 0, 0, 0);
    }
    this.rows = new ModelRows<>(params.maxModels(), () -> new ModelRow(priorViews));
  }

  public CalibrationParams params() {
    return params;
  }

  /** The routing view of (model, category). Lock-free, allocation-free. */
  public KeyView view(String model, ContentCategory category) {
    ModelRow row = rows.get(model);
    return row == null ? priorViews[category.ordinal()] : row.views.get(category.ordinal());
  }

  /**
   * Offers one sample: {@code promptTokens} counted by the upstream for a prompt of {@code textBytes}
   * decoded text bytes (the raw measurement, never a corrected estimate). Safe from any thread.
   */
  public KeyMoments.Verdict observe(String model, ContentCategory category, long textBytes, int promptTokens) {
    double x = textBytes;
    double y = promptTokens;
    if (!KeyMoments.plausible(x, y, params)) {
      rejected.increment();
      return KeyMoments.Verdict.OUT_OF_BOUNDS;
    }
    ModelRow row = rows.getOrCreate(model);
    if (row == null) {
      rejected.increment();
      return KeyMoments.Verdict.NOT_TRACKED;
    }
    int i = category.ordinal();
    KeyView current = row.views.get(i);
    if (current.calibrated()) {
      double expected = current.interceptTokens() + x / current.bytesPerToken();
      if (Math.abs(y - expected) > params.maxRelativeError() * expected + CalibrationParams.OUTLIER_SLACK_TOKENS) {
        rejected.increment();
        return KeyMoments.Verdict.OUTLIER;
      }
    }
    CategoryPrior prior = params.prior(category);
    KeyMoments cur;
    KeyMoments next;
    do {
      cur = row.local.get(i);
      next = cur.plus(x, y, prior, params);
    } while (!row.local.compareAndSet(i, cur, next));
    refresh(row, i);
    return KeyMoments.Verdict.ACCEPTED;
  }

  /** Samples rejected so far (out of bounds, outliers, untracked models). */
  public long rejectedSamples() {
    return rejected.sum();
  }

  /** Called with each model's name the first time the table tracks it (for per-model meters). */
  public void onNewModel(Consumer<String> listener) {
    rows.onNewModel(listener);
  }

  /** Every (model, category) of the tracked models, with its current values. */
  public List<CalibrationEntry> entries() {
    List<String> models = rows.models();
    List<CalibrationEntry> out = new ArrayList<>(models.size() * ContentCategory.count());
    for (String m : models) {
      ModelRow row = rows.get(m);
      for (ContentCategory c : ContentCategory.values()) {
        KeyView v = row.views.get(c.ordinal());
        out.add(new CalibrationEntry(m, c.id(), v.bytesPerToken(), v.conservativeBytesPerToken(),
            v.interceptTokens(), v.samples(),
            v.calibrated() ? CalibrationEntry.SOURCE_CALIBRATED : CalibrationEntry.SOURCE_PRIOR));
      }
    }
    return out;
  }

  /** What this node has learned itself, per key (keys without samples are left out). */
  public Map<CalibrationKey, KeyStats> localState() {
    Map<CalibrationKey, KeyStats> out = new HashMap<>();
    rows.forEach((model, row) -> {
      for (ContentCategory c : ContentCategory.values()) {
        KeyStats st = row.local.get(c.ordinal()).toStats(params.prior(c), params);
        if (st != null) {
          out.put(new CalibrationKey(model, c.id()), st);
        }
      }
    });
    return out;
  }

  /**
   * Installs the merged state of the other nodes. Each key's view combines it with local state; a key
   * missing from {@code others} falls back to local state only. Calls must come from one thread.
   */
  public void adoptClusterState(Map<CalibrationKey, KeyStats> others) {
    Map<String, KeyStats[]> byModel = new HashMap<>();
    others.forEach((key, stats) -> {
      ContentCategory c = ContentCategory.byId(key.category());
      if (c != null && stats != null && key.model() != null) {
        byModel.computeIfAbsent(key.model(), m -> new KeyStats[ContentCategory.count()])[c.ordinal()] = stats;
      }
    });
    byModel.keySet().forEach(rows::getOrCreate);
    rows.forEach((model, row) -> {
      KeyStats[] st = byModel.get(model);
      for (int i = 0; i < ContentCategory.count(); i++) {
        row.cluster.set(i, st == null ? null : st[i]);
      }
    });
    clusterEpoch++;
    rows.forEach((model, row) -> {
      for (int i = 0; i < ContentCategory.count(); i++) {
        refresh(row, i);
      }
    });
  }

  /** Seeds local moments from saved stats, as pseudo-samples that new samples refine. */
  public void restore(Map<CalibrationKey, KeyStats> saved) {
    saved.forEach((key, stats) -> {
      ContentCategory c = ContentCategory.byId(key.category());
      ModelRow row = c == null || key.model() == null ? null : rows.getOrCreate(key.model());
      if (row == null) {
        return;
      }
      int i = c.ordinal();
      KeyMoments cur;
      do {
        cur = row.local.get(i);
      } while (!row.local.compareAndSet(i, cur, KeyMoments.fromStats(stats, cur.seq() + 1, params)));
      refresh(row, i);
    });
  }

  private void refresh(ModelRow row, int i) {
    while (true) {
      long epoch = clusterEpoch;
      KeyMoments local = row.local.get(i);
      KeyStats cluster = row.cluster.get(i);
      KeyView cur = row.views.get(i);
      if (cur.covers(local.seq(), epoch)) {
        return;
      }
      KeyView next = build(ContentCategory.ofOrdinal(i), local, cluster, epoch);
      if (row.views.compareAndSet(i, cur, next)) {
        return;
      }
    }
  }

  private KeyView build(ContentCategory c, KeyMoments local, KeyStats cluster, long epoch) {
    CategoryPrior prior = params.prior(c);
    KeyStats mine = local.toStats(prior, params);
    KeyStats merged = mine == null ? cluster : cluster == null ? mine : KeyStats.merge(List.of(mine, cluster));
    if (merged == null || merged.samples() < params.minSamples() || !(merged.bytesPerToken() > 0)) {
      return priorView(c, merged == null ? 0 : merged.samples(), local.seq(), epoch);
    }
    double r = clamp(merged.bytesPerToken());
    double conservative = clamp(r - params.gamma() * merged.spread());
    double a = Math.max(0, Math.min(params.maxInterceptTokens(), merged.interceptTokens()));
    return new KeyView(r, conservative, a, merged.samples(), true, local.seq(), epoch);
  }

  private KeyView priorView(ContentCategory c, long samples, long seq, long epoch) {
    CategoryPrior p = params.prior(c);
    double conservative = clamp(p.bytesPerToken() - params.gamma() * p.spread());
    return new KeyView(p.bytesPerToken(), conservative, p.interceptTokens(), samples, false, seq, epoch);
  }

  private double clamp(double r) {
    return Math.max(params.minBytesPerToken(), Math.min(params.maxBytesPerToken(), r));
  }

  private static final class ModelRow {
    final AtomicReferenceArray<KeyMoments> local = new AtomicReferenceArray<>(ContentCategory.count());
    final AtomicReferenceArray<KeyStats> cluster = new AtomicReferenceArray<>(ContentCategory.count());
    final AtomicReferenceArray<KeyView> views;

    ModelRow(KeyView[] priors) {
      for (int i = 0; i < ContentCategory.count(); i++) {
        local.set(i, KeyMoments.EMPTY);
      }
      views = new AtomicReferenceArray<>(priors.clone());
    }
  }
}
