package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.lifecycle.ConfigWatcher;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A reload moves new requests to the new endpoints while streams in flight finish on the old ones. */
@ExtendWith(VertxExtension.class)
class ReloadHttpTest {
  private static final int EVENTS = 20;
  private static final String STREAM =
      "{\"model\":\"m\",\"stream\":true,\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir
  Path dir;
  private Vertx vertx;
  private FakeUpstream oldUp;
  private FakeUpstream newUp;
  private Dispatcher dispatcher;
  private HttpClient client;
  private Http http;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    oldUp = new FakeUpstream(vertx, "old").start().await();
    newUp = new FakeUpstream(vertx, "new").start().await();
    // the old endpoint streams slowly: a stream is still running when the reload lands
    oldUp.behavior = (self, req, body) -> {
      if (body.toString().contains("\"stream\":true")) {
        self.stream(req.response(), FakeUpstream.events(self.name, EVENTS), 50, true);
      } else {
        FakeUpstream.openAi(self, req, body);
      }
    };
    client = vertx.createHttpClient();
    DispatcherMetrics metrics = new DispatcherMetrics();
    dispatcher = Dispatcher.start(vertx, config(oldUp), DispatcherHooks.calibrating(CalibrationParams.defaults(),
        metrics.registry()), metrics, 2).await();
    http = new Http(vertx, client, dispatcher.port());
  }

  @AfterEach
  void tearDown() {
    dispatcher.stop().await();
    client.close().await();
    oldUp.close().await();
    newUp.close().await();
  }

  private static DispatcherConfig config(FakeUpstream shortUp) {
    return DispatcherConfig.defaults().withHost("127.0.0.1").withPort(0)
        .withPool(new PoolConfig("short", 8192, List.of(URI.create(shortUp.url()))))
        .withPool(new PoolConfig("long", 65536, List.of(URI.create(shortUp.url()))));
  }

  private CompletableFuture<Http.Reply> streamInFlight() {
    CompletableFuture<Http.Reply> stream = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions", STREAM));
    eventually(() -> oldUp.received.size() == 1, "the stream reached the old endpoint", WAIT);
    return stream;
  }

  @Test
  void streamInFlightFinishesOnTheOldEndpoint() throws Exception {
    CompletableFuture<Http.Reply> stream = streamInFlight();
    dispatcher.reload(config(newUp));
    Http.Reply reply = stream.get(20, TimeUnit.SECONDS);
    assertThat(reply.failure()).isNull();
    assertThat(reply.text()).contains("tok" + (EVENTS - 1)).endsWith("data: [DONE]\n\n");
  }

  @Test
  void newRequestsUseTheNewEndpointsRightAway() throws Exception {
    CompletableFuture<Http.Reply> stream = streamInFlight();
    dispatcher.reload(config(newUp));
    Http.Reply fresh = http.post("/v1/chat/completions", CHAT);
    assertThat(fresh.json().getString("served_by")).isEqualTo("new");
    assertThat(stream.isDone()).as("the old stream was still running").isFalse();
    stream.get(20, TimeUnit.SECONDS);
  }

  @Test
  void replacedClientsCloseOnceDrained() throws Exception {
    CompletableFuture<Http.Reply> stream = streamInFlight();
    dispatcher.reload(config(newUp));
    assertThat(dispatcher.upstreams().draining()).isEqualTo(2);
    stream.get(20, TimeUnit.SECONDS);
    eventually(() -> dispatcher.upstreams().draining() == 0, "the replaced clients closed", WAIT);
  }

  @Test
  void invalidFileIsRejectedAndTheRunningPoolsStay() throws Exception {
    Path file = dir.resolve("d.yaml");
    Files.writeString(file, "pools:\n  - {name: short, context: 0, endpoints: [" + newUp.url() + "]}\n");
    String[] args = {"--config", file.toString()};
    ConfigWatcher watcher = new ConfigWatcher(vertx, file, () -> NodeConfig.load(args, Map.of()).dispatcher(),
        dispatcher::reload);
    ConfigWatcher.Outcome outcome = watcher.reload("test").await(10, TimeUnit.SECONDS);
    assertThat(outcome.error()).isEqualTo("pools[0].context must be > 0");
    assertThat(http.post("/v1/chat/completions", CHAT).json().getString("served_by")).isEqualTo("old");
  }

  @Test
  void fileChangeIsPickedUp() throws Exception {
    Path file = dir.resolve("d.yaml");
    Files.writeString(file, "pools:\n  - {name: short, context: 8192, endpoints: [" + oldUp.url() + "]}\n");
    String[] args = {"--config", file.toString()};
    ConfigWatcher watcher = new ConfigWatcher(vertx, file, () -> NodeConfig.load(args, Map.of()).dispatcher(),
        dispatcher::reload).start(50);
    try {
      Files.writeString(file, "pools:\n  - {name: short, context: 8192, endpoints: [" + newUp.url() + "]}\n");
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      eventually(() -> dispatcher.config().pools().get(0).endpoints().get(0).toString().equals(newUp.url()),
          "the watcher applied the new file", WAIT);
      assertThat(http.post("/v1/chat/completions", CHAT).json().getString("served_by")).isEqualTo("new");
    } finally {
      watcher.stop();
    }
  }

  @Test
  void invalidConfigThrowsWithoutChangingAnything() {
    DispatcherConfig bad = config(newUp).withPools(List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dispatcher.reload(bad)).isInstanceOf(ConfigException.class);
    assertThat(dispatcher.config().pools().get(0).endpoints()).containsExactly(URI.create(oldUp.url()));
  }
}
