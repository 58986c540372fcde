package dev.sluice.calibration;

/**
 * The side of a node's calibration that the cluster layer sees. The cluster layer calls these off the
 * event loop, every publish period; the request path never waits on them.
 */
public interface SharedCalibration {

  /** What this node has learned itself (and carries forward), to publish under its own key. */
  CalibrationState localState();

  /** Installs the merged state of the other nodes; the next routing snapshot combines it with local state. */
  void adoptClusterState(CalibrationState others);

  /** Seeds local state at start, from a file or a previous run, before any sample arrives. */
  void restore(CalibrationState saved);
}
