package dev.sluice.dispatcher.estimate;

/**
 * The token budget of one request.
 *
 * @param model           the model named in the request (calibration key part)
 * @param category        content category (calibration key part)
 * @param textBytes       decoded prompt-text bytes the estimate was made from
 * @param promptEstimate  unbiased prompt-token estimate (from the mean ratio)
 * @param promptRouting   conservative prompt-token estimate used for routing
 * @param outputReserve   output tokens reserved (max_tokens times n, or the default)
 * @param calibrated      whether calibration (not the prior) produced the ratio
 * @param feedsCalibration whether the actual count may update the text ratio (false for images/tools)
 */
public record Budget(
    String model,
    String category,
    long textBytes,
    int promptEstimate,
    int promptRouting,
    int outputReserve,
    boolean calibrated,
    boolean feedsCalibration) {

  /** The total used for routing: conservative prompt estimate plus output reserve. */
  public int total() {
    return promptRouting + outputReserve;
  }
}
