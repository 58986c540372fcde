package dev.sluice.loadgen;

import java.nio.file.Path;

/** Where the shared data lives for tests: the {@code sluice.shared} property surefire sets, else ../shared. */
final class TestData {

  private TestData() {
  }

  static Path shared() {
    String p = System.getProperty("sluice.shared");
    return p != null ? Path.of(p) : Path.of("..", "..", "shared");
  }

  static Path corpus() {
    return shared().resolve("data").resolve("corpus");
  }

  static Path trace(String name) {
    return shared().resolve("data").resolve("azure").resolve("AzureLLMInferenceTrace_" + name + ".csv");
  }
}
