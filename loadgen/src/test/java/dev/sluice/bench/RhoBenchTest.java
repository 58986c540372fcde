package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RhoBenchTest {

  private static List<RhoBench.Lengths> convMix() throws Exception {
    String shared = System.getProperty("sluice.shared", "../../shared");
    return RhoBench.readTrace(Path.of(shared, "data", "azure", "AzureLLMInferenceTrace_conv.csv"));
  }

  @Test
  void shortInstanceOutrunsTheHomogeneousInstanceOnShortRequests() throws Exception {
    List<RhoBench.Lengths> mix = convMix().stream().filter(l -> l.prompt() + l.output() <= 8192).toList();
    double shortRps = RhoBench.saturate("s", PoolShape.named("short"), CostModel.GPU, mix, 3000, 3).requestsPerSec();
    double homRps = RhoBench.saturate("h", PoolShape.named("homogeneous"), CostModel.GPU, mix, 3000, 3)
        .requestsPerSec();
    // the paper's implied rho is 1.2-2.1; the cost model must land in that band, not at the 8x slot ratio
    assertThat(shortRps / homRps).isBetween(1.2, 2.1);
  }

  @Test
  void traceReaderKeepsEveryRow() throws Exception {
    assertThat(convMix()).hasSize(19_366);
  }
}
