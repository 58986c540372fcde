package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.mock.PromptCounter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Node client's {@code responses.create} (streamed and not) and {@code embeddings.create}, and
 * the official Anthropic client's {@code messages} (streamed and not), against a node in front of two mock pools,
 * through a model alias ({@code src/test/node/official-clients.mjs}). The clients are installed by {@code npm ci}
 * in that folder ({@code .ci/run} does it); without them the test is skipped, unless
 * {@code SLUICE_REQUIRE_CLIENTS=1} makes their absence a failure.
 */
class OfficialClientsTest {
  private static final Path CLIENTS = Path.of("src", "test", "node");

  private final Rig rig = new Rig();

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    rig.close();
  }

  private static boolean installed() {
    boolean present = Files.isDirectory(CLIENTS.resolve("node_modules/openai"))
        && Files.isDirectory(CLIENTS.resolve("node_modules/@anthropic-ai/sdk"));
    if (!present && "1".equals(System.getenv("SLUICE_REQUIRE_CLIENTS"))) {
      throw new AssertionError("SLUICE_REQUIRE_CLIENTS=1 but the clients are not installed: npm ci in " + CLIENTS);
    }
    return present;
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(o -> out.add((String) o));
    return out;
  }

  @Test
  void theOfficialClientsSpeakToANodeThroughAnAlias() throws Exception {
    assumeTrue(installed(), "the official clients are not installed (npm ci in " + CLIENTS + ")");
    int shortPool = rig.mock(Rig.SHORT_CONTEXT, PromptCounter.Mode.CL100K);
    int longPool = rig.mock(Rig.LONG_CONTEXT, PromptCounter.Mode.CL100K);
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, """
        pools:
          - {name: short, context: %d, endpoints: [http://127.0.0.1:%d]}
          - {name: long, context: %d, endpoints: [http://127.0.0.1:%d]}
        models:
          - {name: %s, aliases: [river], pools: [short, long]}
        """.formatted(Rig.SHORT_CONTEXT, shortPool, Rig.LONG_CONTEXT, longPool, Rig.MODEL));
    int sluice = rig.sluiceWith("--config", config.toString());

    JsonObject out = run("http://127.0.0.1:" + sluice, "river");

    JsonObject responses = out.getJsonObject("responses");
    assertThat(responses.getString("text")).isNotBlank();
    assertThat(responses.getJsonObject("usage").getInteger("input_tokens")).isPositive();
    JsonObject stream = out.getJsonObject("responsesStream");
    List<String> events = strings(stream.getJsonArray("events"));
    assertThat(events.get(0)).isEqualTo("response.created");
    assertThat(events).contains("response.output_text.delta");
    assertThat(events.get(events.size() - 1)).isEqualTo("response.completed");
    assertThat(stream.getString("text")).isNotBlank();
    assertThat(stream.getJsonObject("usage").getInteger("input_tokens")).isPositive();

    JsonObject embeddings = out.getJsonObject("embeddings");
    assertThat(embeddings.getInteger("count")).isEqualTo(2);
    assertThat(embeddings.getInteger("dimensions")).isPositive();
    assertThat(embeddings.getJsonObject("usage").getInteger("prompt_tokens")).isPositive();

    JsonObject messagesStream = out.getJsonObject("messagesStream");
    assertThat(strings(messagesStream.getJsonArray("events"))).startsWith("message_start")
        .contains("content_block_delta", "message_delta").endsWith("message_stop");
    assertThat(messagesStream.getString("text")).isNotBlank();
    assertThat(messagesStream.getJsonObject("usage").getInteger("input_tokens")).isPositive();
    assertThat(out.getJsonObject("messages").getString("text")).isNotBlank();
    // Sluice's own refusal, read by Anthropic's client as one of its errors
    assertThat(out.getJsonObject("messagesError")).isEqualTo(new JsonObject().put("status", 404)
        .put("type", "not_found_error"));
  }

  private JsonObject run(String base, String model) throws IOException, InterruptedException {
    Path log = dir.resolve("clients.err");
    Process p = new ProcessBuilder("node", "official-clients.mjs", base, model).directory(CLIENTS.toFile())
        .redirectError(log.toFile()).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the clients did not finish within 120 s");
    }
    String err = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("node exited with %s: %s", p.exitValue(), err).isZero();
    return new JsonObject(new String(stdout, StandardCharsets.UTF_8).trim());
  }
}
