package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.estimate.Estimator;

/**
 * Where the node's response taps come from. Until the calibrating tap exists the node reads no usage and
 * does not ask the upstream for it; replacing the two members below is all it takes to switch.
 */
public final class ResponseTaps {
  private ResponseTaps() {
  }

  /**
   * Whether streams without {@code stream_options.include_usage} are rewritten to ask for it. Only turn
   * this on with a tap that removes the usage-only event again, so the client sees what it asked for.
   */
  public static boolean asksUpstreamForUsage(DispatcherConfig config) {
    return false;
  }

  /** The tap factory for this node; {@code estimator} is the one usage is fed back to. */
  public static ResponseTapFactory forConfig(DispatcherConfig config, Estimator estimator) {
    return ResponseTapFactory.NONE;
  }
}
