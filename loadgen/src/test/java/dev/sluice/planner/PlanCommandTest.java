package dev.sluice.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  // ---- length distributions and the baseline axis ---------------------------------------------------------

  private static final String AGENT_HEAVY = LengthCdfTest.cdf("agent_heavy").toString();

  @Test
  void aCdfPlanHasOneBaselineEntryPerMaxNumSeqsWithTheIssuesFields() throws Exception {
    JsonObject json = new JsonObject(run("--cdf", AGENT_HEAVY, "--rate", "2", "--duration", "120",
        "--baseline-max-num-seqs", "16,256", "--oracle", "--json"));
    JsonArray baselines = json.getJsonArray("baselines");
    assertThat(baselines).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(baselines.getJsonObject(i).fieldNames()).containsExactly("maxNumSeqs", "instancesHomogeneous",
          "instancesRouted", "savingsSimulated", "preemptionsPer1kHomogeneous", "preemptionsPer1kRouted",
          "ttftP99ShortMsHomogeneous", "ttftP99ShortMsRouted", "ttftP99LongMsHomogeneous", "ttftP99LongMsRouted");
    }
    JsonObject first = baselines.getJsonObject(0);
    assertThat(List.of(first.getInteger("maxNumSeqs"), baselines.getJsonObject(1).getInteger("maxNumSeqs")))
        .containsExactly(16, 256);
    // the top-level keys keep their meaning, for the first baseline
    assertThat(List.of(json.getInteger("instancesHomogeneous"), json.getInteger("instancesRouted"),
        json.getDouble("ttftP99RoutedShortMs"))).containsExactly(first.getInteger("instancesHomogeneous"),
        first.getInteger("instancesRouted"), first.getDouble("ttftP99ShortMsRouted"));
    assertThat(json.getString("verdict")).startsWith("At max_num_seqs 16 ").contains("; at max_num_seqs 256 ");
  }

  @Test
  void theDefaultBaselinesAreTheFullContextSafeCountAndVllmsDefault() throws Exception {
    JsonObject json = new JsonObject(run("--cdf", AGENT_HEAVY, "--rate", "1", "--duration", "60", "--oracle",
        "--json"));
    JsonArray baselines = json.getJsonArray("baselines");
    assertThat(List.of(baselines.getJsonObject(0).getInteger("maxNumSeqs"),
        baselines.getJsonObject(1).getInteger("maxNumSeqs"))).containsExactly(16, 256);
  }

  // ---- objectives no fleet size meets, and bad command lines ---------------------------------------------

  @Test
  void anSloBelowWhatShortPromptsNeedAloneExitsThreeAndNamesIt() throws Exception {
    Outcome o = outcome("--cdf", AGENT_HEAVY, "--rate", "20", "--slo-ttft-p99", "100", "--json");
    assertThat(o.status).isEqualTo(3);
    assertThat(o.err).startsWith("sluice plan: TTFT P99 SLO of 100 ms cannot be met at any fleet size");
    assertThat(o.out).isEmpty();
  }

  @Test
  void aFleetWideSloTheLongestPromptsCannotMeetExitsThreeWhenAskedFor() throws Exception {
    Outcome o = outcome("--cdf", AGENT_HEAVY, "--rate", "20", "--slo-scope", "fleet", "--oracle");
    assertThat(o.status).isEqualTo(3);
    assertThat(o.err).contains("2000 ms over the fleet cannot be met", "--slo-scope class");
  }

  @Test
  void byDefaultSuchAnSloIsHeldPerClass() throws Exception {
    JsonObject json = new JsonObject(run("--cdf", AGENT_HEAVY, "--rate", "2", "--duration", "120",
        "--baseline-max-num-seqs", "16", "--oracle", "--json"));
    assertThat(List.of(json.getString("sloScopeRequested"), json.getString("sloScope"))).containsExactly("auto",
        "class");
    assertThat(json.getDouble("sloTtftP99LongClassMs")).isGreaterThan(2000.0);
    assertThat(json.getString("sloNote")).contains("cannot be met", "long class is held to");
  }

  @Test
  void anUnknownOptionIsAUsageError() throws Exception {
    Outcome o = outcome("--cdf", AGENT_HEAVY, "--rate", "20", "--bogus");
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice plan: unknown option: '--bogus'\n").contains("Usage: sluice plan");
  }

  @Test
  void aMissingValueIsAUsageError() throws Exception {
    Outcome o = outcome("--cdf", AGENT_HEAVY, "--rate");
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice plan: missing required parameter for option '--rate' (R)\n");
  }

  @Test
  void aValueThatIsNotANumberIsAUsageError() throws Exception {
    Outcome o = outcome("--cdf", AGENT_HEAVY, "--rate", "fast");
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice plan: invalid value for option '--rate': 'fast' is not a double\n");
  }

  @Test
  void aBaselineVllmWouldRefuseIsAUsageErrorInVllmsWords() throws Exception {
    Outcome o = outcome("--cdf", AGENT_HEAVY, "--rate", "20", "--baseline-max-num-seqs", "4096");
    assertThat(o.status).isEqualTo(2);
    assertThat(o.err).startsWith("sluice plan: max_num_batched_tokens (2048) must be greater than or equal to "
        + "max_num_seqs (4096)");
  }

  @Test
  void aPlanNeedsATraceOrADistribution() throws Exception {
    assertThat(outcome("--rate", "20").err).startsWith("sluice plan: give one of --trace FILE or --cdf FILE");
  }

  private record Outcome(int status, String out, String err) {
  }

  private static Outcome outcome(String... args) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] line = new String[args.length + 1];
    line[0] = "plan";
    System.arraycopy(args, 0, line, 1, args.length);
    int status = Sluice.run(line, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString());
  }

  private static String run(String... args) throws Exception {
    Outcome o = outcome(args);
    assertThat(o.status).as(o.err).isZero();
    return o.out;
  }
}
