package dev.sluice.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one sentence every plan ends with: whether the split pays for this workload and configuration, by how
 * much, and why, with the figures behind it. One clause per baseline.
 *
 * <p>The split pays in instances when it saves at least {@link #MIN_SAVING}; it pays in latency when the short
 * requests' TTFT p99 falls by at least {@link #MIN_TTFT_GAIN}. The causes named are those the figures show:
 * slot limits (the long configuration runs fewer sequences than the short one and rho is above 1), preemption
 * (the homogeneous fleet preempts at least twice as often as the routed one), prefill interference (a latency
 * gain with long requests in the mix: short requests no longer wait behind or share steps with long prefills);
 * batching alone when none of them does.
 */
public final class Verdict {
  /** Less than this share of instances is within the rounding of integer pool sizes. */
  static final double MIN_SAVING = 0.05;
  /** A short-request TTFT p99 at least this much lower counts as a latency gain. */
  static final double MIN_TTFT_GAIN = 0.2;
  /** rho from which a slot limit is a reason: below it the short instance is hardly faster. */
  static final double MIN_SLOT_RHO = 1.1;

  /** What the verdict reads from one plan. */
  public record Figures(int maxNumSeqs, int shortMaxNumSeqs, int instancesHomogeneous, int instancesRouted,
      double savings, double rho, double preemptionsPer1kHomogeneous, double preemptionsPer1kRouted,
      double ttftShortHomogeneousMs, double ttftShortRoutedMs, double longShare) {

    static Figures of(PlanReport r) {
      return new Figures(r.longMaxNumSeqs(), r.shortMaxNumSeqs(), r.instancesHomogeneous(), r.instancesRouted(),
          r.savingsSimulated(), r.rho(), r.preemptionsPer1kHomogeneous(), r.preemptionsPer1kRouted(),
          r.ttftP99HomogeneousShortSeconds() * 1000, r.ttftP99RoutedShortSeconds() * 1000,
          1 - r.routedShortShare());
    }

    boolean paysInInstances() {
      return savings >= MIN_SAVING && instancesRouted < instancesHomogeneous;
    }

    boolean paysInLatency() {
      return ttftShortHomogeneousMs > 0 && ttftShortRoutedMs <= (1 - MIN_TTFT_GAIN) * ttftShortHomogeneousMs;
    }

    boolean slotLimited() {
      return maxNumSeqs < shortMaxNumSeqs && rho >= MIN_SLOT_RHO;
    }

    boolean preemptionBound() {
      return preemptionsPer1kHomogeneous >= 1 && preemptionsPer1kHomogeneous >= 2 * preemptionsPer1kRouted;
    }
  }

  private Verdict() {
  }

  /** The sentence for a plan at one or more baselines. */
  public static String sentence(List<PlanReport> plans) {
    List<Figures> figures = new ArrayList<>();
    plans.forEach(p -> figures.add(Figures.of(p)));
    return sentenceOf(figures);
  }

  static String sentenceOf(List<Figures> baselines) {
    List<String> clauses = new ArrayList<>();
    for (Figures f : baselines) {
      clauses.add(clause(f));
    }
    String joined = String.join("; ", clauses);
    return Character.toUpperCase(joined.charAt(0)) + joined.substring(1) + ".";
  }

  /** One baseline's clause, starting with "at max_num_seqs N". */
  static String clause(Figures f) {
    String at = f("at max_num_seqs %d", f.maxNumSeqs());
    String counts = f("%d -> %d instances", f.instancesHomogeneous(), f.instancesRouted());
    String ttft = f("short-request TTFT p99 %,.0f -> %,.0f ms", f.ttftShortHomogeneousMs(), f.ttftShortRoutedMs());
    if (f.paysInInstances()) {
      List<String> causes = new ArrayList<>();
      if (f.slotLimited()) {
        causes.add(f("slot limits (a long-configured instance runs at most %d sequences, a short one %d: rho %.2f)",
            f.maxNumSeqs(), f.shortMaxNumSeqs(), f.rho()));
      }
      if (f.preemptionBound()) {
        causes.add(preemption(f));
      }
      if (f.longShare() > 0 && f.paysInLatency()) {
        causes.add(INTERFERENCE);
      }
      if (causes.isEmpty()) {
        causes.add(f("batching (the short instance serves the short traffic %.2fx as fast)", f.rho()));
      }
      return f("%s the split saves %s of instances (%s, %s) because of %s", at, percent(f.savings()), counts, ttft,
          String.join(" and ", causes));
    }
    if (f.paysInLatency()) {
      List<String> causes = new ArrayList<>();
      if (f.longShare() > 0) {
        causes.add(INTERFERENCE);
      }
      if (f.preemptionBound()) {
        causes.add(preemption(f));
      }
      if (causes.isEmpty()) {
        causes.add("smaller batches on the short instances");
      }
      return f("%s the split saves no instances (%s, %s) but cuts %s because of %s", at, percent(f.savings()),
          counts, ttft, String.join(" and ", causes));
    }
    return f("%s the split does not pay for this workload and configuration (%s, %s, %s) because %s", at,
        percent(f.savings()), counts, ttft, noGainReason(f));
  }

  private static final String INTERFERENCE =
      "prefill interference (short requests no longer wait behind or share steps with long prefills)";

  private static String preemption(Figures f) {
    return f("preemption (%.1f per 1k requests in the homogeneous fleet, %.1f routed)",
        f.preemptionsPer1kHomogeneous(), f.preemptionsPer1kRouted());
  }

  private static String noGainReason(Figures f) {
    if (f.maxNumSeqs() >= f.shortMaxNumSeqs() || f.rho() < MIN_SLOT_RHO) {
      return f("a long-configured instance with %d sequences serves the short traffic about as well as a short "
          + "one (rho %.2f)", f.maxNumSeqs(), f.rho());
    }
    return f("two separately sized pools lose to rounding and burstiness what the faster short instances gain "
        + "(rho %.2f)", f.rho());
  }

  private static String percent(double share) {
    return f("%.1f%%", share * 100);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
