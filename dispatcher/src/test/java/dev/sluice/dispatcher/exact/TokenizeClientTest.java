package dev.sluice.dispatcher.exact;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tokenize client against real HTTP servers on port 0 that answer, fail, or never answer. */
@ExtendWith(VertxExtension.class)
class TokenizeClientTest {

  private static final Buffer BODY = Buffer.buffer("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

  private Vertx vertx;
  private HttpClient client;
  private final List<HttpServer> servers = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    servers.forEach(s -> s.close().await());
    client.close().await();
  }

  private int serve(Handler<HttpServerRequest> handler) {
    HttpServer server = vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1").await();
    servers.add(server);
    return server.actualPort();
  }

  /** vLLM's answer shape: the count, the context, every token id (sent in small pieces, as a big list comes). */
  private static void answer(HttpServerRequest req, int count) {
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < count; i++) {
      ids.append(i == 0 ? "" : ",").append(128000 + i);
    }
    String json = "{\"count\":" + count + ",\"max_model_len\":8192,\"tokens\":[" + ids + "],\"token_strs\":null}";
    req.response().setChunked(true).putHeader("content-type", "application/json");
    for (int i = 0; i < json.length(); i += 1000) {
      req.response().write(json.substring(i, Math.min(json.length(), i + 1000)));
    }
    req.response().end();
  }

  /** Runs {@code count} on an event loop, as the pipeline does, and waits for its outcome. */
  private Future<TokenizeClient.Count> count(TokenizeClient tokenizer, int port) {
    Promise<TokenizeClient.Count> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> tokenizer.count(client,
        TokenizeClient.at("127.0.0.1", port, false, TokenizeClient.PATH), BODY, "Bearer k", "req-1").onComplete(done));
    return done.future();
  }

  private static TokenizeClient.Reason reason(Future<?> f) throws Exception {
    f.transform(ar -> Future.succeededFuture()).await(10, TimeUnit.SECONDS);
    return ((TokenizeClient.Failure) f.cause()).reason();
  }

  @Test
  void readsTheCountOfALongAnswerAndSendsThePromptAsGiven() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    int port = serve(req -> req.body().onSuccess(b -> {
      seen.add(req.method() + " " + req.path() + " " + req.getHeader("authorization") + " "
          + req.getHeader("x-request-id") + " " + b);
      answer(req, 5000);
    }));
    TokenizeClient tokenizer = new TokenizeClient(vertx, 2000, 4);

    TokenizeClient.Count c = count(tokenizer, port).await(10, TimeUnit.SECONDS);

    assertThat(c).isEqualTo(new TokenizeClient.Count(5000, 8192));
    assertThat(seen).containsExactly("POST /tokenize Bearer k req-1 " + BODY);
    assertThat(tokenizer.inFlight()).isZero();
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsATimeoutAndTheCallIsAbandoned() throws Exception {
    AtomicInteger reset = new AtomicInteger();
    int port = serve(req -> req.connection().closeHandler(v -> reset.incrementAndGet()));
    TokenizeClient tokenizer = new TokenizeClient(vertx, 25, 4);

    long start = System.nanoTime();
    Future<TokenizeClient.Count> f = count(tokenizer, port);

    assertThat(reason(f)).isEqualTo(TokenizeClient.Reason.TIMEOUT);
    assertThat((System.nanoTime() - start) / 1e6).isGreaterThanOrEqualTo(25);
    assertThat(tokenizer.inFlight()).isZero();
    // the request was reset, not left hanging on the server
    vertx.timer(2000).await();
    assertThat(reset.get()).isEqualTo(1);
  }

  @Test
  void anErrorStatusAnAnswerWithoutACountAndARefusedConnectionAreErrors() throws Exception {
    int failing = serve(req -> req.response().setStatusCode(500).end("{\"error\":{\"message\":\"boom\"}}"));
    int odd = serve(req -> req.response().end("{\"tokens\":[1,2,3]}"));
    HttpServer gone = vertx.createHttpServer().requestHandler(req -> { }).listen(0, "127.0.0.1").await();
    int refused = gone.actualPort();
    gone.close().await();
    TokenizeClient tokenizer = new TokenizeClient(vertx, 2000, 4);

    assertThat(List.of(reason(count(tokenizer, failing)), reason(count(tokenizer, odd)),
        reason(count(tokenizer, refused)))).containsOnly(TokenizeClient.Reason.ERROR);
    assertThat(tokenizer.inFlight()).isZero();
  }

  @Test
  void callsBeyondTheBoundAreRefusedAtOnceAndNeverReachTheServer() throws Exception {
    AtomicInteger arrived = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger open = new AtomicInteger();
    List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    int port = serve(req -> {
      arrived.incrementAndGet();
      mostAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max);
      held.add(req);
    });
    TokenizeClient tokenizer = new TokenizeClient(vertx, 5000, 3);

    List<Future<TokenizeClient.Count>> calls = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      calls.add(count(tokenizer, port));
    }
    // the four over the bound fail at once, without waiting for the others
    for (Future<TokenizeClient.Count> f : calls.subList(3, 7)) {
      assertThat(reason(f)).isEqualTo(TokenizeClient.Reason.BUSY);
    }
    assertThat(tokenizer.inFlight()).isEqualTo(3);
    while (held.size() < 3) {
      vertx.timer(10).await();
    }
    held.forEach(req -> {
      open.decrementAndGet();
      answer(req, 7);
    });
    for (Future<TokenizeClient.Count> f : calls.subList(0, 3)) {
      assertThat(f.await(10, TimeUnit.SECONDS).tokens()).isEqualTo(7);
    }
    assertThat(List.of(arrived.get(), mostAtOnce.get(), tokenizer.inFlight())).containsExactly(3, 3, 0);
    // once the bound frees, calls go through again
    Future<TokenizeClient.Count> again = count(tokenizer, port);
    while (held.size() < 4) {
      vertx.timer(10).await();
    }
    answer(held.get(3), 9);
    assertThat(again.await(10, TimeUnit.SECONDS).tokens()).isEqualTo(9);
  }
}
