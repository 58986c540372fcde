package dev.sluice.dispatcher;

import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.estimate.Estimator;
import dev.sluice.dispatcher.estimate.Estimators;
import dev.sluice.dispatcher.relay.ResponseTapFactory;
import dev.sluice.dispatcher.relay.ResponseTaps;

/**
 * The parts of the request path that other components provide.
 *
 * @param estimator           turns scanned facts into a budget; also receives {@code usage.prompt_tokens}
 *                            read by the taps ({@link Estimator#observe})
 * @param taps                makes the tap that reads each 2xx response as it streams
 * @param askUpstreamForUsage rewrite streaming bodies that lack {@code include_usage} to ask for it
 */
public record DispatcherHooks(Estimator estimator, ResponseTapFactory taps, boolean askUpstreamForUsage) {

  /** What a node uses unless told otherwise. */
  public static DispatcherHooks defaults(DispatcherConfig config) {
    Estimator estimator = Estimators.forConfig(config);
    return new DispatcherHooks(estimator, ResponseTaps.forConfig(config, estimator),
        ResponseTaps.asksUpstreamForUsage(config));
  }
}
