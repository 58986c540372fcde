package dev.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
}
