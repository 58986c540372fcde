package dev.sluice.calibration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Each model's byte-class regression: learned locally from usage samples, combined with what the other
 * nodes publish, read by routing without locks.
 *
 * <p><b>Reads</b> ({@link #view}): one lookup of the model in a concurrent map and one volatile read; the
 * result is an immutable, solved {@link ClassView}. An unknown model reads the shared prior view and
 * creates nothing.
 *
 * <p><b>Writes</b> ({@link #observe}, from any event loop): a sample folds into the model's normal
 * equations in place and the view is solved again, under the model's monitor. That is about a microsecond
 * of arithmetic (the triangle of a 14 by 14 matrix, then a Cholesky solve), so event loops finishing
 * responses of the same model at the same instant wait that long at most, and nothing but the new view is
 * allocated for a whole matrix of state. Routing never takes the monitor.
 *
 * <p><b>Cluster</b>: {@link #localState}, {@link #adoptClusterState} and {@link #restore} are called off
 * the event loop by the cluster layer (through {@link NodeCalibration}).
 */
public final class ClassTable {
  /** Samples between two solves of a calibrated model's view: 1/8 of the solves, a lag far below the window. */
  static final int REBUILD_EVERY = 8;


  private final ClassParams params;
  private final ClassFit fit;
  private final ClassView priorView;
  private final ModelRows<Row> rows;
  private final LongAdder rejected = new LongAdder();

  public ClassTable(ClassParams params) {
    this.params = params;
    this.fit = new ClassFit(params);
    this.priorView = new ClassView(fit.prior(), params.priorSpread(), 0, false, params);
    this.rows = new ModelRows<>(params.shared().maxModels(), () -> new Row(priorView));
  }

  public ClassParams params() {
    return params;
  }

  /** The routing view of {@code model}. Lock-free, allocation-free. */
  public ClassView view(String model) {
    Row row = rows.get(model);
    return row == null ? priorView : row.view;
  }

  /** The view of a model nothing is known about. */
  public ClassView priorView() {
    return priorView;
  }

  /**
   * Offers one sample: {@code promptTokens} counted by the upstream for a prompt whose text has these
   * counts and {@code textBytes} decoded bytes (the raw measurement, never a corrected estimate).
   */
  public KeyMoments.Verdict observe(String model, ClassCounts counts, long textBytes, int promptTokens) {
    CalibrationParams p = params.shared();
    double y = promptTokens;
    if (!KeyMoments.plausible(textBytes, y, p)) {
      rejected.increment();
      return KeyMoments.Verdict.OUT_OF_BOUNDS;
    }
    Row row = rows.getOrCreate(model);
    if (row == null) {
      rejected.increment();
      return KeyMoments.Verdict.NOT_TRACKED;
    }
    double[] x = ClassFit.vector(counts);
    double beta = params.decay();
    synchronized (row) {
      ClassView before = row.view;
      double predicted = before.tokens(counts, textBytes);
      double error = Math.abs(y - predicted);
      if (before.calibrated() && error > p.maxRelativeError() * predicted + CalibrationParams.OUTLIER_SLACK_TOKENS) {
        rejected.increment();
        return KeyMoments.Verdict.OUTLIER;
      }
      ClassFit.accumulate(row.moments, x, y, 1.0 / (textBytes + p.sizeOffsetBytes()), beta);
      row.samples++;
      row.weight = beta * row.weight + 1;
      // The spread is the error of calibrated estimates only: the prior's first misses would stay in it
      // for the whole window. Short prompts say little about the margin needed near routing thresholds.
      double u = before.calibrated() ? textBytes / (textBytes + p.spreadHalfBytes()) : 0;
      row.devSum = beta * row.devSum + u * Math.min(1.0, error / predicted);
      row.devWeight = beta * row.devWeight + u;
      // Solving the equations is the costly part and runs on an event loop for every response; once the view is
      // calibrated, one sample moves its weights by about 1/window, so they are solved again every REBUILD_EVERY
      // samples. The counts and the spread are new in every view.
      if (!before.calibrated() || ++row.unsolved >= REBUILD_EVERY) {
        row.view = build(row);
        row.unsolved = 0;
      } else {
        row.view = view(row, before.theta());
      }
    }
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

  /** The tracked models and their current views, by name. */
  public List<Map.Entry<String, ClassView>> entries() {
    List<String> models = rows.models();
    List<Map.Entry<String, ClassView>> out = new ArrayList<>(models.size());
    for (String m : models) {
      out.add(Map.entry(m, rows.get(m).view));
    }
    return out;
  }

  /**
   * What this node has learned itself, per model (models without samples are left out). Called off the request
   * path (publishing, saving), it also solves the views that samples since the last solve have left behind, so
   * that what a node publishes or saves is what it routes on.
   */
  public Map<String, ClassStats> localState() {
    Map<String, ClassStats> out = new HashMap<>();
    rows.forEach((model, row) -> {
      synchronized (row) {
        if (row.unsolved > 0) {
          row.view = build(row);
          row.unsolved = 0;
        }
        if (row.samples > 0) {
          out.put(model, new ClassStats(row.samples, row.weight, row.moments, row.devSum, row.devWeight));
        }
      }
    });
    return out;
  }

  /** Installs the merged state of the other nodes; a model missing from {@code others} keeps local state only. */
  public void adoptClusterState(Map<String, ClassStats> others) {
    others.keySet().forEach(rows::getOrCreate);
    rows.forEach((model, row) -> {
      synchronized (row) {
        row.cluster = others.get(model);
        row.view = build(row);
      }
    });
  }

  /** Seeds local state at start (from the state file), replacing what the model had. */
  public void restore(Map<String, ClassStats> saved) {
    saved.forEach((model, stats) -> {
      Row row = model == null ? null : rows.getOrCreate(model);
      if (row == null || stats == null) {
        return;
      }
      synchronized (row) {
        row.moments = stats.moments();
        row.samples = stats.samples();
        row.weight = stats.weight();
        row.devSum = stats.devSum();
        row.devWeight = stats.devWeight();
        row.view = build(row);
      }
    });
  }

  /** The view of a row's local and cluster state; call holding the row's monitor. */
  private ClassView build(Row row) {
    ClassStats cluster = row.cluster;
    return view(row, fit.solve(row.moments, cluster == null ? null : cluster.raw(), row.work));
  }

  /** A view of the row's counts and spread over these weights; call holding the row's monitor. */
  private ClassView view(Row row, double[] theta) {
    ClassStats cluster = row.cluster;
    long samples = row.samples + (cluster == null ? 0 : cluster.samples());
    double devSum = row.devSum + (cluster == null ? 0 : cluster.devSum());
    double devWeight = row.devWeight + (cluster == null ? 0 : cluster.devWeight());
    // the prior spread counts as one full-size sample
    double spread = (devSum + params.priorSpread()) / (devWeight + 1);
    return new ClassView(theta, spread, samples, samples >= params.shared().minSamples(), params);
  }

  private static final class Row {
    /** Samples added since the view was last solved. */
    int unsolved;
    double[] moments = new double[ClassStats.length()];
    final double[] work = new double[ClassStats.dimension() * ClassStats.dimension()];
    long samples;
    double weight;
    double devSum;
    double devWeight;
    ClassStats cluster;
    volatile ClassView view;

    Row(ClassView prior) {
      view = prior;
    }
  }
}
