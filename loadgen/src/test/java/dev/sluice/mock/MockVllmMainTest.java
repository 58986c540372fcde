package dev.sluice.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The mock's engine flags: vLLM's defaults per GPU and its refusal of inconsistent settings. */
class MockVllmMainTest {

  @Test
  void theShippedProfilesRunWithVllmsA100StepBudget() throws Exception {
    MockConfig c = MockVllmMain.parse(new String[] {"--profile", "long"});
    assertThat(List.of(c.shape().maxNumSeqs(), c.shape().maxNumBatchedTokens(), c.shape().reserveFullIsl()))
        .containsExactly(16, 2048, true);
  }

  @Test
  void moreSequencesThanTheStepBudgetAreRefusedAsVllmRefusesThem() {
    assertThatThrownBy(() -> MockVllmMain.parse(new String[] {"--max-num-seqs", "4096"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("max_num_batched_tokens (2048) must be greater than or equal to max_num_seqs (4096)");
  }

  @Test
  void theRefusalLooksAtTheSettingsTogetherWhateverTheirOrder() throws Exception {
    MockConfig c = MockVllmMain.parse(new String[] {"--max-num-seqs", "4096", "--max-num-batched-tokens", "8192"});
    assertThat(List.of(c.shape().maxNumSeqs(), c.shape().maxNumBatchedTokens())).containsExactly(4096, 8192);
  }

  @Test
  void theFullSequenceGateCanBeTurnedOffLikeVllmsFlag() throws Exception {
    MockConfig c = MockVllmMain.parse(new String[] {"--scheduler-reserve-full-isl", "false"});
    assertThat(c.shape().reserveFullIsl()).isFalse();
    assertThatThrownBy(() -> MockVllmMain.parse(new String[] {"--scheduler-reserve-full-isl", "no"}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
