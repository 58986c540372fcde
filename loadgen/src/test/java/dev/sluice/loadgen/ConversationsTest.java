package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConversationsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private URI mock() {
    MockVllm mock = new MockVllm(MockConfig.of(new PoolShape("test", 16384, 64, 8192, 2048, 16), CostModel.INSTANT,
        PromptCounter.Mode.CL100K));
    vertx.deployVerticle(mock).await();
    return URI.create("http://127.0.0.1:" + mock.actualPort());
  }

  private static Conversations.Options options(List<URI> targets, int sessions, int turns) {
    return Conversations.parse(new String[] {"--sessions", "" + sessions, "--turns", "" + turns, "--think-time", "0s",
        "--prompt-tokens", "120", "--max-tokens", "40", "--model", "meta-llama/Meta-Llama-3-70B-Instruct",
        "--target", targets.get(0).toString(), "--corpus", TestData.corpus().toString()});
  }

  /**
   * Three conversations of three turns against a mock vLLM: every turn is answered, each carries the previous
   * turns and their answers (its prompt grows by an answer, a message and the template each turn), and every
   * turn after the first finds its history cached: for each, the previous prompt and answer less the answer's
   * last token, rounded down to the 16-token block.
   */
  @Test
  void eachTurnCarriesTheConversationSoFarAndFindsItCached() throws Exception {
    URI target = mock();
    Conversations.Result r = Conversations.run(vertx, options(List.of(target), 3, 3));
    List<Conversations.TurnStats> turns = r.turns();
    assertThat(new long[] {turns.get(0).answered(), turns.get(1).answered(), turns.get(2).answered(),
        r.all().answered(), r.all().failed()}).containsExactly(3, 3, 3, 9, 0);
    for (int k = 1; k < 3; k++) {
      double growth = turns.get(k).meanPromptTokens() - turns.get(k - 1).meanPromptTokens();
      // 40 answer tokens, a new message of 120 tokens or a piece more, 5 + 5 of the template around the two
      assertThat(growth).as("turn %d", k + 1).isBetween(40 + 120 + 10.0, 40 + 120 + 200 + 10.0);
    }
    double carried = 3 * (turns.get(0).meanPromptTokens() + turns.get(1).meanPromptTokens() + 2 * (40 - 1));
    assertThat(r.hits()).isBetween(carried - 6 * 15, carried);
    double queried = 3 * (turns.get(0).meanPromptTokens() + turns.get(1).meanPromptTokens()
        + turns.get(2).meanPromptTokens());
    assertThat(r.queries()).isEqualTo(queried);
    assertThat(Conversations.describe(options(List.of(target), 3, 3), r)).contains("hit rate");
  }

  @Test
  void theCommandLineNeedsSessionsTurnsAndATarget() {
    assertThatThrownBy(() -> Conversations.parse(new String[] {"--sessions", "2", "--turns", "3"}))
        .isInstanceOf(IllegalArgumentException.class);
    Conversations.Options o = Conversations.parse(new String[] {"--sessions", "2", "--turns", "3", "--target",
        "http://127.0.0.1:8080", "--session-header", "--scrape", "http://127.0.0.1:8001,http://127.0.0.1:8002"});
    assertThat(new Object[] {o.sessionHeader(), o.scraped().size(), o.thinkNanos(), o.maxTokens()})
        .containsExactly(true, 2, 1_000_000_000L, 128);
    assertThat(Conversations.asked(new String[] {"--target", "x", "--sessions", "2"})).isTrue();
  }

  @Test
  void embeddingsHaveNoTurnsAndTheMessagesApiIsNamedInAHeader() {
    assertThatThrownBy(() -> Conversations.parse(new String[] {"--sessions", "2", "--turns", "2", "--target",
        "http://h:1", "--api", "embeddings"})).hasMessageContaining("--api embeddings cannot go with --sessions");
    assertThat(Conversations.parse(new String[] {"--sessions", "2", "--turns", "2", "--target", "http://h:1",
        "--api", "messages"}).namedByHeader()).as("the Messages API has no prompt_cache_key").isTrue();
  }

  /** One request a server received: its path, headers and body. */
  private record Received(String path, MultiMap headers, JsonObject body) {
  }

  /**
   * Two conversations of three turns against a server that answers each API's stream in vLLM's shapes: every turn
   * is answered and read (its text " the fox..." carried into the next turn, its prompt tokens from the usage), and
   * each turn resends the conversation so far where its API keeps it.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"completions,24", "responses,29", "messages,27"})
  void eachApiResendsTheConversationSoFar(String name, int promptTokens) throws Exception {
    Api api = Api.parse(name);
    ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    String stream = switch (api) {
      case COMPLETIONS -> VllmShapes.COMPLETIONS_STREAM;
      case RESPONSES -> VllmShapes.RESPONSES_STREAM;
      default -> VllmShapes.MESSAGES_STREAM;
    };
    int port = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.path().equals("/metrics")) {
        req.response().end();
        return;
      }
      received.add(new Received(req.path(), req.headers(), b.toJsonObject()));
      req.response().putHeader("content-type", "text/event-stream").end(stream);
    })).listen(0).await().actualPort();
    Conversations.Options o = Conversations.parse(new String[] {"--sessions", "2", "--turns", "3", "--think-time",
        "0s", "--prompt-tokens", "20", "--max-tokens", "4", "--model", "m", "--api", name, "--target",
        "http://127.0.0.1:" + port, "--corpus", TestData.corpus().toString()});
    Conversations.Result r = Conversations.run(vertx, o);

    assertThat(new long[] {r.all().answered(), r.all().failed()}).containsExactly(6, 0);
    assertThat(r.all().meanPromptTokens()).as("from each stream's usage").isEqualTo(promptTokens);
    assertThat(received).hasSize(6).allSatisfy(q -> assertThat(q.path()).isEqualTo(api.path()));
    for (Received q : received) {
      String key = q.body().getString("prompt_cache_key");
      String header = q.headers().get(Conversations.SESSION_HEADER);
      if (api == Api.MESSAGES) {
        assertThat(key).isNull();
        assertThat(header).startsWith("conversation-");
        assertThat(q.headers().get("anthropic-version")).isEqualTo("2023-06-01");
      } else {
        assertThat(key).startsWith("conversation-");
        assertThat(header).isNull();
      }
    }
    // a third turn carries both earlier turns and both answers before its own message
    Received third = received.stream().filter(q -> turns(api, q.body()) == 5).findFirst().orElseThrow();
    String answer = switch (api) {
      case MESSAGES -> " the fox jumps";
      default -> " the fox";
    };
    if (api == Api.COMPLETIONS) {
      assertThat(third.body().getString("prompt")).contains("\n\n" + answer + "\n\n");
    } else {
      JsonArray items = third.body().getJsonArray(api == Api.RESPONSES ? "input" : "messages");
      assertThat(items.stream().map(m -> ((JsonObject) m).getString("role")))
          .containsExactly("user", "assistant", "user", "assistant", "user");
      assertThat(items.getJsonObject(1).getString("content")).isEqualTo(answer);
    }
    assertThat(received.stream().filter(q -> turns(api, q.body()) == 5)).hasSize(2);
  }

  /** How many messages a body carries: for completions, the answers its prompt carries and a message after each. */
  private static int turns(Api api, JsonObject body) {
    return switch (api) {
      case COMPLETIONS -> 1 + 2 * (body.getString("prompt").split("\n\n the fox\n\n", -1).length - 1);
      case RESPONSES -> body.getJsonArray("input").size();
      default -> body.getJsonArray("messages").size();
    };
  }
}
