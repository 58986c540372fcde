package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vLLM's OpenAI-server defaults per GPU (get_batch_defaults in vllm/engine/arg_utils.py). */
class GpuClassTest {

  @Test
  void a100sOfAnySizeAndSmallGpusGet256SequencesAnd2048Tokens() {
    for (String gpu : List.of("a100-80gb", "a100-40gb", "l40s-48gb", "a10-24gb")) {
      GpuClass g = GpuClass.parse(gpu);
      assertThat(new int[] {g.defaultMaxNumSeqs(), g.defaultMaxNumBatchedTokens()}).as(gpu).containsExactly(256, 2048);
    }
  }

  @Test
  void largeGpusThatAreNotA100sGet1024SequencesAnd8192Tokens() {
    for (String gpu : List.of("h100-80gb", "h200-141gb", "mi300x-192gb")) {
      GpuClass g = GpuClass.parse(gpu);
      assertThat(new int[] {g.defaultMaxNumSeqs(), g.defaultMaxNumBatchedTokens()}).as(gpu)
          .containsExactly(1024, 8192);
    }
  }

  @Test
  void aShapeFileWithoutSlotsOrBudgetTakesItsGpusDefaults() throws Exception {
    PoolShape h100 = PoolShape.parse("x", text("gpu=h100-80gb\nmax_model_len=32768\nnum_gpu_blocks=40000\n"));
    PoolShape a100 = PoolShape.parse("x", text("max_model_len=32768\nnum_gpu_blocks=40000\n"));
    assertThat(new int[] {h100.maxNumSeqs(), h100.maxNumBatchedTokens(), a100.maxNumSeqs(),
        a100.maxNumBatchedTokens()}).containsExactly(1024, 8192, 256, 2048);
  }

  @Test
  void aDefaultedSlotCountStopsAtAStatedStepBudgetAsVllmServeDoes() throws Exception {
    PoolShape s = PoolShape.parse("x", text("max_model_len=4096\nnum_gpu_blocks=100\nmax_num_batched_tokens=128\n"));
    assertThat(new int[] {s.maxNumSeqs(), s.maxNumBatchedTokens()}).containsExactly(128, 128);
    assertThat(s.startupError()).isNull();
  }

  @Test
  void aShapeFileCanTurnTheFullSequenceGateOff() throws Exception {
    PoolShape off = PoolShape.parse("x", text("max_model_len=4096\nnum_gpu_blocks=100\n"
        + "scheduler_reserve_full_isl=false\n"));
    assertThat(off.reserveFullIsl()).isFalse();
  }

  @Test
  void aShapeFileThatVllmWouldRefuseSaysWhy() throws Exception {
    PoolShape s = PoolShape.parse("x", text("max_model_len=4096\nnum_gpu_blocks=100\nmax_num_seqs=4096\n"));
    assertThat(s.startupError()).isEqualTo(
        "max_num_batched_tokens (2048) must be greater than or equal to max_num_seqs (4096)");
  }

  @Test
  void aGpuNeedsItsMemory() {
    assertThatThrownBy(() -> GpuClass.parse("h100")).isInstanceOf(IllegalArgumentException.class);
  }

  private static ByteArrayInputStream text(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
