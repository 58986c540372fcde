package dev.sluice.calibration;

/**
 * What routing reads for one key: immutable, precomputed when samples or cluster state arrive, so an
 * estimate is two divisions.
 *
 * @param bytesPerToken             mean bytes per text token (unbiased estimate)
 * @param conservativeBytesPerToken {@code mean - gamma * spread}, floored at the lower bound (routing)
 * @param interceptTokens           fixed tokens per request
 * @param samples                   samples behind the values (local plus cluster)
 * @param calibrated                whether learned values (not the prior) are in use
 * @param localSeq                  version of the local state this view was built from
 * @param clusterEpoch              version of the cluster state this view was built from
 */
public record KeyView(double bytesPerToken, double conservativeBytesPerToken, double interceptTokens, long samples,
    boolean calibrated, long localSeq, long clusterEpoch) {

  /** Unbiased prompt tokens for {@code textBytes}. */
  public int promptTokens(long textBytes) {
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(interceptTokens + textBytes / bytesPerToken));
  }

  /** Conservative prompt tokens for {@code textBytes}, used for routing. */
  public int routingTokens(long textBytes) {
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(interceptTokens + textBytes / conservativeBytesPerToken));
  }

  /** Whether this view already reflects states at least as new as the given versions. */
  boolean covers(long seq, long epoch) {
    return localSeq >= seq && clusterEpoch >= epoch;
  }
}
