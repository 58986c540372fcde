package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {

  @Test
  void jsonCarriesTheFieldsTheIssueNames(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("mini.csv");
    StringBuilder rows = new StringBuilder("TIMESTAMP,ContextTokens,GeneratedTokens\n");
    for (int i = 0; i < 400; i++) {
      int context = i % 10 == 0 ? 6000 : 800;
      rows.append(String.format(Locale.ROOT, "2023-11-16 18:%02d:%02d.%07d,%d,%d%n", i / 60, i % 60, 1234567,
          context, 120));
    }
    Files.writeString(csv, rows);
    JsonObject json = new JsonObject(run("--trace", csv.toString(), "--rate", "40", "--short-context", "4096",
        "--json", "--oracle"));
    assertThat(json.fieldNames()).contains("alpha", "rho", "instancesHomogeneous", "instancesRouted",
        "savingsSimulated", "savingsFormula", "preemptionsPer1kHomogeneous", "preemptionsPer1kRouted");
  }

  @Test
  void alphaInTheJsonIsTheShareThatFitsTheShortContext(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("mini.csv");
    StringBuilder rows = new StringBuilder("TIMESTAMP,ContextTokens,GeneratedTokens\n");
    for (int i = 0; i < 400; i++) {
      int context = i % 4 == 0 ? 6000 : 800;
      rows.append(String.format(Locale.ROOT, "2023-11-16 18:%02d:%02d.0000000,%d,%d%n", i / 60, i % 60, context,
          120));
    }
    Files.writeString(csv, rows);
    JsonObject json = new JsonObject(run("--trace", csv.toString(), "--rate", "40", "--short-context", "4096",
        "--json", "--oracle"));
    assertThat(json.getDouble("alpha")).isEqualTo(0.75);
  }

  private static String run(String... args) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      PlanCommand.main(args);
    } finally {
      System.setOut(saved);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
