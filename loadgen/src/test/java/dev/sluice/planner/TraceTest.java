package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TraceTest {

  static Path shared() {
    String p = System.getProperty("sluice.shared");
    return p != null ? Path.of(p) : Path.of("..", "shared");
  }

  static Path azure(String which) {
    return shared().resolve("data/azure/AzureLLMInferenceTrace_" + which + ".csv");
  }

  @Test
  void readsTheConvTraceRowCount() throws Exception {
    assertThat(Trace.readAzureCsv(azure("conv")).size()).isEqualTo(19_366);
  }

  @Test
  void convTraceMeanRateMatchesItsDocumentedRate() throws Exception {
    assertThat(Trace.readAzureCsv(azure("conv")).meanRate()).isCloseTo(5.53, within(0.01));
  }

  @Test
  void rerateHitsTheRequestedMeanRate() throws Exception {
    Trace t = Trace.readAzureCsv(azure("code")).rerated(200, 0);
    assertThat(t.meanRate()).isCloseTo(200, within(0.5));
  }

  @Test
  void loopingFillsTheDuration() throws Exception {
    Trace t = Trace.readAzureCsv(azure("code")).rerated(100, 600);
    // the trace has quiet gaps of a few seconds at this rate, so the last arrival may fall a little short
    assertThat(t.arrival(t.size() - 1)).isCloseTo(600, within(5.0));
  }

  @Test
  void loopingKeepsTheRateWithinTheTracesOwnBurstiness() throws Exception {
    // a partial last pass carries the trace's first minutes, which are a little busier than its mean
    Trace t = Trace.readAzureCsv(azure("code")).rerated(100, 600);
    assertThat(t.size() / 600.0).isCloseTo(100, within(3.0));
  }


  @Test
  void rejectsAFileWithoutTheHeader(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path f = dir.resolve("x.csv");
    Files.writeString(f, "a,b,c\n1,2,3\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Trace.readAzureCsv(f))
        .isInstanceOf(java.io.IOException.class);
  }
}
