package dev.sluice.demo;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * What a demo run measured, for the printout and for tests.
 *
 * @param routed             the routed fleet's client-side figures
 * @param homogeneous        the homogeneous fleet's
 * @param routedSplit        completed requests by the pool that served them (x-sluice-pool)
 * @param poolTtft           routed fleet, by pool: TTFT p50 and p99 in wall ms
 * @param misroutesUnder     context-length errors on the short pool retried on the long one (both nodes)
 * @param misroutesOver      requests sent long that would have fitted short (both nodes)
 * @param calibration        per node, category to learned bytes per token
 * @param clusterMembers     members each routed node saw
 * @param alphaTrue          share of the slice whose true total fits the short context
 * @param alphaLive          sluice_alpha, averaged over the two nodes weighted by their requests
 * @param rho                the planner's rho (instances needed at the SLO), which the projection uses
 * @param rhoLive            sluice_rho as the nodes measured it in the saturation phase, NaN if they did not
 * @param saturationSeconds  how long the saturation phase ran
 * @param projectedSavings   alphaLive (1 - 1/rho)
 * @param simulatedSavings   the planner's 1 - N_routed / N_homogeneous on the same slice
 * @param instancesHomogeneous the planner's homogeneous fleet size for the slice
 * @param instancesRouted    the planner's routed fleet size (short + long)
 * @param problems           what makes the run fail (empty when it passed)
 * @param page               the comparison page's path
 * @param text               the printed summary
 */
public record DemoSummary(Fleet routed, Fleet homogeneous, Map<String, Long> routedSplit,
    Map<String, double[]> poolTtft, long misroutesUnder,
    long misroutesOver, List<Map<String, Double>> calibration, List<Integer> clusterMembers, double alphaTrue,
    double alphaLive, double rho, double rhoLive, double saturationSeconds, double projectedSavings,
    double simulatedSavings,
    int instancesHomogeneous, String instancesRouted, List<String> problems, String page, String text) {

  /**
   * One fleet's run, times in wall milliseconds.
   *
   * @param instances     mock instances
   * @param completed     completed requests (measured phase)
   * @param errors        failed requests
   * @param preemptions   vllm:num_preemptions_total over its mocks (whole run)
   * @param outputTokensPerSecondPerInstance generation tokens per wall second per instance (whole run)
   * @param report        its load generator report (schema sluice.loadgen.v1)
   * @param reportFile    where that report was written
   */
  public record Fleet(int instances, long completed, long errors, double ttftP50, double ttftP99, double e2eP50,
      double e2eP99, long preemptions, double outputTokensPerSecondPerInstance, JsonObject report,
      String reportFile) {

    double errorShare() {
      long all = completed + errors;
      return all == 0 ? 1 : (double) errors / all;
    }
  }

  public boolean passed() {
    return problems.isEmpty();
  }
}
