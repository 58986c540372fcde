package dev.sluice.dispatcher;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.calibration.NodeCalibration;
import dev.sluice.dispatcher.estimate.CalibratingEstimator;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.estimate.Estimators;
import dev.sluice.dispatcher.relay.ResponseTapFactory;
import dev.sluice.dispatcher.relay.ResponseTaps;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The parts of the request path that other components provide.
 *
 * @param estimator           turns scanned facts into a budget; also receives {@code usage.prompt_tokens}
 *                            read by the taps ({@link Estimator#observe})
 * @param taps                makes the tap that reads each 2xx response as it streams
 * @param askUpstreamForUsage rewrite streaming bodies that lack {@code include_usage} to ask for it
 * @param calibration         the learned calibration behind the estimator, shared with the cluster and
 *                            shown by {@code /admin/calibration}; null when the estimator does not learn
 */
public record DispatcherHooks(Estimator estimator, ResponseTapFactory taps, boolean askUpstreamForUsage,
    NodeCalibration calibration) {

  public DispatcherHooks(Estimator estimator, ResponseTapFactory taps, boolean askUpstreamForUsage) {
    this(estimator, taps, askUpstreamForUsage, null);
  }

  /** What a node uses unless told otherwise: the calibrating estimator on the byte classes, fed from every response. */
  public static DispatcherHooks calibrating(CalibrationParams params, MeterRegistry registry) {
    return calibrating(params, CalibratingEstimator.Model.CLASSES, registry);
  }

  /** The calibrating estimator routing on {@code model}, fed from every response. */
  public static DispatcherHooks calibrating(CalibrationParams params, CalibratingEstimator.Model model,
      MeterRegistry registry) {
    CalibratingEstimator estimator = Estimators.calibrating(params, model, registry);
    return new DispatcherHooks(estimator, ResponseTaps.READING_USAGE, true, estimator.calibration());
  }
}
