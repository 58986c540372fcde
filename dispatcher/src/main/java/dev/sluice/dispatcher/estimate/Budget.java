package dev.sluice.dispatcher.estimate;

import dev.sluice.calibration.ClassCounts;

/**
 * The token budget of one request.
 *
 * @param model            the model named in the request (calibration key part)
 * @param category         content category (calibration key part of the ratios, and a label)
 * @param textBytes        decoded prompt-text bytes the estimate was made from
 * @param counts           the byte-class counts of that text, fed back with the actual count; null when the
 *                         estimator does not learn from them
 * @param promptEstimate   unbiased prompt-token estimate
 * @param promptLow        optimistic prompt-token estimate: the lower edge of the estimate's band
 * @param promptRouting    conservative prompt-token estimate used for routing: the band's upper edge
 * @param outputReserve    output tokens reserved (max_tokens times n, or the default)
 * @param calibrated       whether calibration (not the prior) produced the estimate
 * @param feedsCalibration whether the actual count may update the calibration (false for images/tools)
 * @param source           whether the prompt tokens were estimated or counted by the pool's tokenizer
 */
public record Budget(
    String model,
    String category,
    long textBytes,
    ClassCounts counts,
    int promptEstimate,
    int promptLow,
    int promptRouting,
    int outputReserve,
    boolean calibrated,
    boolean feedsCalibration,
    EstimateSource source) {

  /** The total used for routing: conservative prompt estimate plus output reserve. */
  public int total() {
    return saturated((long) promptRouting + outputReserve);
  }

  /** The optimistic total: the lower edge of the band whose upper edge is {@link #total()}. */
  public int lowTotal() {
    return saturated((long) promptLow + outputReserve);
  }

  /** This budget with the prompt counted exactly by the pool's tokenizer: the band closes on the count. */
  public Budget counted(int promptTokens) {
    return new Budget(model, category, textBytes, counts, promptTokens, promptTokens, promptTokens, outputReserve,
        calibrated, feedsCalibration, EstimateSource.TOKENIZER);
  }

  private static int saturated(long v) {
    return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
  }
}
