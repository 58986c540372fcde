package dev.sluice.calibration;

/**
 * What a category is assumed to look like before it has enough samples.
 *
 * @param bytesPerToken   prior mean ratio of text bytes to text tokens
 * @param interceptTokens prior fixed tokens per request (chat template)
 * @param spread          prior mean absolute deviation of the ratio
 */
public record CategoryPrior(double bytesPerToken, double interceptTokens, double spread) {

  public CategoryPrior {
    if (!(bytesPerToken > 0) || interceptTokens < 0 || spread < 0) {
      throw new IllegalArgumentException("prior needs bytesPerToken > 0, interceptTokens >= 0, spread >= 0");
    }
  }
}
