package dev.sluice.planner;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one plan. Shares are fractions of requests; savings are fractions of instances.
 *
 * @param objective                  the scope and targets the fleets were sized to, after the feasibility checks
 * @param longMaxNumSeqs             the long configuration's max_num_seqs (the baseline)
 * @param alpha                      requests whose true total fits the short context
 * @param routedShortShare           requests the short pool served: alpha minus misroutes
 * @param misrouteRate               short requests the router sent long (over-estimates), of the short ones
 * @param overflowShare              long requests the router sent short (rejected, served long), of all
 * @param routingBytesPerToken       the conservative ratio routing used (0 for oracle routing)
 * @param rho                        long-configured instances over short instances for the short pool's traffic,
 *                                   both sized at the SLO
 * @param rhoSaturation              the same ratio of peak (saturated) throughputs
 * @param shortLoadShare             the share of the homogeneous fleet that the short pool's traffic needs
 * @param instancesHomogeneousOnShort long-configured instances the short pool's traffic alone needs
 * @param instancesShortAtOwnP99     short instances that traffic needs at its own P99 (rho's denominator)
 * @param shortMaxNumSeqs            the short configuration's max_num_seqs
 * @param preemptionsPer1kRouted     preemptions of both pools per 1,000 requests of the whole trace
 * @param preemptionsPer1kShortPool  the short pool's preemptions per 1,000 of its own requests
 * @param preemptionsPer1kLongPool   the long pool's preemptions per 1,000 of its own requests
 * @param savingsFormula             alpha (1 - 1/rho), the paper's formula
 * @param savingsFormulaMisroute     alpha (1 - m)(1 - 1/rho)
 * @param savingsFormulaLoadWeighted shortLoadShare (1 - 1/rho): alpha weighted by work instead of requests
 */
public record PlanReport(
    Planner.Config config,
    Planner.Objective objective,
    int longMaxNumSeqs,
    String shapes,
    int requests,
    double spanSeconds,
    double rate,
    double alpha,
    double routedShortShare,
    double misrouteRate,
    double overflowShare,
    double routingBytesPerToken,
    double rho,
    double rhoSaturation,
    double shortLoadShare,
    int instancesHomogeneous,
    int instancesShort,
    int instancesLong,
    int instancesHomogeneousOnShort,
    int instancesShortAtOwnP99,
    int shortMaxNumSeqs,
    double savingsSimulated,
    double savingsFormula,
    double savingsFormulaMisroute,
    double savingsFormulaLoadWeighted,
    double preemptionsPer1kHomogeneous,
    double preemptionsPer1kRouted,
    double preemptionsPer1kShortPool,
    double preemptionsPer1kLongPool,
    double ttftP99HomogeneousSeconds,
    double ttftP99HomogeneousShortSeconds,
    double ttftP99HomogeneousLongSeconds,
    double ttftP99RoutedSeconds,
    double ttftP99RoutedShortSeconds,
    double ttftP99RoutedLongSeconds,
    double yearlyCostHomogeneous,
    double yearlyCostRouted,
    int simulations,
    double wallSeconds) {

  public int instancesRouted() {
    return instancesShort + instancesLong;
  }

  /** Homogeneous over routed preemption rate (infinite when the routed fleet had none). */
  public double preemptionReduction() {
    return preemptionsPer1kRouted == 0 ? Double.POSITIVE_INFINITY
        : preemptionsPer1kHomogeneous / preemptionsPer1kRouted;
  }

  /** Field names and values in a stable order, for JSON. */
  public Map<String, Object> fields() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shortContext", config.shortContext());
    m.put("longContext", config.longContext());
    m.put("sloTtftP99Ms", config.sloTtftP99Seconds() * 1000);
    m.put("seed", config.seed());
    m.put("sloScope", objective.scope().name().toLowerCase(Locale.ROOT));
    m.put("sloScopeRequested", config.scope().name().toLowerCase(Locale.ROOT));
    m.put("sloTtftP99LongClassMs", objective.longSeconds() * 1000);
    m.put("sloNote", objective.note());
    m.put("longMaxNumSeqs", longMaxNumSeqs);
    m.put("shapes", shapes);
    m.put("requests", requests);
    m.put("spanSeconds", spanSeconds);
    m.put("rate", rate);
    m.put("alpha", alpha);
    m.put("routedShortShare", routedShortShare);
    m.put("misrouteRate", misrouteRate);
    m.put("overflowShare", overflowShare);
    m.put("routingBytesPerToken", routingBytesPerToken);
    m.put("rho", rho);
    m.put("rhoSaturation", rhoSaturation);
    m.put("shortLoadShare", shortLoadShare);
    m.put("instancesHomogeneous", instancesHomogeneous);
    m.put("instancesRouted", instancesRouted());
    m.put("instancesShort", instancesShort);
    m.put("instancesLong", instancesLong);
    m.put("instancesHomogeneousOnShort", instancesHomogeneousOnShort);
    m.put("instancesShortAtOwnP99", instancesShortAtOwnP99);
    m.put("attainable", true);  // an objective no fleet size meets is answered with UnattainableSlo instead
    m.put("savingsSimulated", savingsSimulated);
    m.put("savingsFormula", savingsFormula);
    m.put("savingsFormulaMisroute", savingsFormulaMisroute);
    m.put("savingsFormulaLoadWeighted", savingsFormulaLoadWeighted);
    m.put("preemptionsPer1kHomogeneous", preemptionsPer1kHomogeneous);
    m.put("preemptionsPer1kRouted", preemptionsPer1kRouted);
    m.put("preemptionsPer1kShortPool", preemptionsPer1kShortPool);
    m.put("preemptionsPer1kLongPool", preemptionsPer1kLongPool);
    m.put("ttftP99HomogeneousMs", ttftP99HomogeneousSeconds * 1000);
    m.put("ttftP99HomogeneousShortMs", ttftP99HomogeneousShortSeconds * 1000);
    m.put("ttftP99HomogeneousLongMs", ttftP99HomogeneousLongSeconds * 1000);
    m.put("ttftP99RoutedMs", ttftP99RoutedSeconds * 1000);
    m.put("ttftP99RoutedShortMs", ttftP99RoutedShortSeconds * 1000);
    m.put("ttftP99RoutedLongMs", ttftP99RoutedLongSeconds * 1000);
    m.put("pricePerInstanceHour", config.pricePerInstanceHour());
    m.put("yearlyCostHomogeneous", yearlyCostHomogeneous);
    m.put("yearlyCostRouted", yearlyCostRouted);
    m.put("yearlySaving", yearlyCostHomogeneous - yearlyCostRouted);
    m.put("simulations", simulations);
    m.put("wallSeconds", wallSeconds);
    return m;
  }

  /** The figures of this plan as one entry of the JSON's {@code baselines} array. */
  public Map<String, Object> baselineFields() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("maxNumSeqs", longMaxNumSeqs);
    m.put("instancesHomogeneous", instancesHomogeneous);
    m.put("instancesRouted", instancesRouted());
    m.put("savingsSimulated", savingsSimulated);
    m.put("preemptionsPer1kHomogeneous", preemptionsPer1kHomogeneous);
    m.put("preemptionsPer1kRouted", preemptionsPer1kRouted);
    m.put("ttftP99ShortMsHomogeneous", ttftP99HomogeneousShortSeconds * 1000);
    m.put("ttftP99ShortMsRouted", ttftP99RoutedShortSeconds * 1000);
    m.put("ttftP99LongMsHomogeneous", ttftP99HomogeneousLongSeconds * 1000);
    m.put("ttftP99LongMsRouted", ttftP99RoutedLongSeconds * 1000);
    return m;
  }

  /** A human-readable summary. */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append(f("plan: short pool <= %,d tokens, long pool <= %,d tokens, TTFT P99 SLO %.0f ms over %s, seed %d%n",
        config.shortContext(), config.longContext(), config.sloTtftP99Seconds() * 1000,
        objective.scope() == Planner.Scope.FLEET ? "each fleet" : "each class", config.seed()));
    if (!objective.note().isEmpty()) {
      b.append(f("  objective      %s%n", objective.note()));
    }
    b.append(f("  shapes         %s%n", shapes));
    b.append(f("  trace          %,d requests over %.1f s (%.1f req/s)%n", requests, spanSeconds, rate));
    b.append(f("  alpha          %.3f short by true tokens; %.3f served short (misroutes %.2f%% of short, "
        + "overflows %.2f%% of all; routing at %.2f B/token)%n", alpha, routedShortShare, misrouteRate * 100,
        overflowShare * 100, routingBytesPerToken));
    b.append(f("  rho            %.2f at the SLO (%d long-configured vs %d short instances on the short traffic);"
        + " %.2f at saturation%n", rho, instancesHomogeneousOnShort, instancesShortAtOwnP99, rhoSaturation));
    b.append(f("  instances      homogeneous %d, routed %d (short %d + long %d)%n", instancesHomogeneous,
        instancesRouted(), instancesShort, instancesLong));
    b.append(f("  load share     short traffic needs %.1f%% of the homogeneous fleet%n", shortLoadShare * 100));
    b.append(f("  savings        simulated %.1f%%, formula alpha(1-1/rho) %.1f%%, with misroutes %.1f%%, "
        + "load-weighted %.1f%%%n", savingsSimulated * 100, savingsFormula * 100, savingsFormulaMisroute * 100,
        savingsFormulaLoadWeighted * 100));
    b.append(f("  preemptions    per 1k requests: homogeneous %.2f, routed %.2f (%s); per 1k of each pool's own "
        + "requests: short %.2f, long %.2f%n", preemptionsPer1kHomogeneous, preemptionsPer1kRouted,
        preemptionsPer1kRouted == 0 ? "routed had none" : f("%.1fx fewer", preemptionReduction()),
        preemptionsPer1kShortPool, preemptionsPer1kLongPool));
    b.append(f("  TTFT P99       homogeneous %.0f ms (short %.0f, long %.0f), routed %.0f ms (short %.0f, long %.0f)%n",
        ttftP99HomogeneousSeconds * 1000, ttftP99HomogeneousShortSeconds * 1000,
        ttftP99HomogeneousLongSeconds * 1000, ttftP99RoutedSeconds * 1000, ttftP99RoutedShortSeconds * 1000,
        ttftP99RoutedLongSeconds * 1000));
    b.append(f("  yearly cost    at $%.2f/instance-hour: homogeneous $%,.0f, routed $%,.0f, saving $%,.0f%n",
        config.pricePerInstanceHour(), yearlyCostHomogeneous, yearlyCostRouted,
        yearlyCostHomogeneous - yearlyCostRouted));
    b.append(f("  effort         %d simulations in %.1f s%n", simulations, wallSeconds));
    return b.toString();
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
