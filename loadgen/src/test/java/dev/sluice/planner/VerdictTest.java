package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict's cases, on figures of the kind the planner produces. */
class VerdictTest {

  // maxNumSeqs, shortSeqs, N hom, N routed, savings, rho, preempt hom, preempt routed, TTFT short hom, routed, long share
  static final Verdict.Figures SLOT_LIMITED =
      new Verdict.Figures(16, 128, 239, 155, 0.351, 1.55, 0, 0, 1840, 1725, 0.0);
  static final Verdict.Figures PREEMPTING =
      new Verdict.Figures(256, 128, 100, 88, 0.12, 1.0, 47.3, 8.7, 2100, 1900, 0.26);
  static final Verdict.Figures INTERFERING =
      new Verdict.Figures(256, 128, 23, 25, -0.087, 1.02, 0.4, 0.3, 1659, 883, 0.26);
  static final Verdict.Figures NOT_PAYING =
      new Verdict.Figures(1024, 128, 151, 152, -0.007, 1.0, 0, 0, 1700, 1690, 0.0);

  @Test
  void slotLimitsSaveInstances() {
    assertThat(Verdict.clause(SLOT_LIMITED)).startsWith("at max_num_seqs 16 the split saves 35.1% of instances")
        .contains("239 -> 155 instances", "slot limits", "at most 16 sequences, a short one 128", "rho 1.55");
  }

  @Test
  void preemptionSavesInstancesWhenTheHomogeneousFleetPreemptsMore() {
    assertThat(Verdict.clause(PREEMPTING)).contains("saves 12.0% of instances",
        "preemption (47.3 per 1k requests in the homogeneous fleet, 8.7 routed)").doesNotContain("slot limits");
  }

  @Test
  void prefillInterferenceIsALatencyGainWithoutSavings() {
    assertThat(Verdict.clause(INTERFERING)).contains("saves no instances (-8.7%, 23 -> 25 instances)",
        "short-request TTFT p99 1,659 -> 883 ms", "prefill interference").doesNotContain("preemption");
  }

  @Test
  void aSplitThatDoesNotPaySaysSoAndWhy() {
    assertThat(Verdict.clause(NOT_PAYING)).contains("does not pay for this workload and configuration",
        "151 -> 152 instances", "with 1024 sequences serves the short traffic about as well", "rho 1.00");
  }

  @Test
  void oneSentenceCoversEveryBaseline() {
    String s = Verdict.sentenceOf(List.of(SLOT_LIMITED, INTERFERING));
    assertThat(s).startsWith("At max_num_seqs 16 the split saves").contains("; at max_num_seqs 256 the split saves "
        + "no instances").endsWith(".");
    assertThat(s.substring(0, s.length() - 1)).as("one sentence").doesNotContain(". ");
  }
}
