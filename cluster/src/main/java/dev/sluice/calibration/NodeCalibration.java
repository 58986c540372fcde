package dev.sluice.calibration;

/**
 * A node's whole calibration: the per-category ratios ({@link CalibrationTable}) and each model's
 * byte-class regression ({@link ClassTable}), shared and saved together.
 */
public final class NodeCalibration implements SharedCalibration {
  private final CalibrationTable ratios;
  private final ClassTable classes;

  public NodeCalibration(CalibrationTable ratios, ClassTable classes) {
    this.ratios = ratios;
    this.classes = classes;
  }

  /** Both tables with their default parameters over {@code params}. */
  public static NodeCalibration of(CalibrationParams params) {
    return new NodeCalibration(new CalibrationTable(params), new ClassTable(ClassParams.of(params)));
  }

  public CalibrationTable ratios() {
    return ratios;
  }

  public ClassTable classes() {
    return classes;
  }

  @Override
  public CalibrationState localState() {
    return new CalibrationState(ratios.localState(), classes.localState());
  }

  @Override
  public void adoptClusterState(CalibrationState others) {
    ratios.adoptClusterState(others.ratios());
    classes.adoptClusterState(others.classes());
  }

  @Override
  public void restore(CalibrationState saved) {
    ratios.restore(saved.ratios());
    classes.restore(saved.classes());
  }
}
