package dev.sluice.dispatcher.estimate;

import dev.sluice.dispatcher.config.Defaults;
import dev.sluice.dispatcher.config.DispatcherConfig;

/** Where the node's {@link Estimator} comes from: the single place to switch to a calibrating one. */
public final class Estimators {
  private Estimators() {
  }

  public static Estimator forConfig(DispatcherConfig config) {
    return new FixedRatioEstimator(Defaults.BYTES_PER_TOKEN);
  }
}
