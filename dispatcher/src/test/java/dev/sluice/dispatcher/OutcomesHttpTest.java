package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.calibration.CalibrationParams;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.observe.AccessLog;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ApiKeys;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every request ends exactly once, whichever step ends it: one access-log line and one
 * {@code sluice_requests_total} increment each, refusals before routing, 404, 405, 408 and client-closed included.
 */
class OutcomesHttpTest extends TwoPoolHttpFixture {
  private static final String KEY = "sk-outcomes-key";
  private static final String LIMITED_KEY = "sk-outcomes-limited";
  private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  /** Asks for more than the short pool holds: routed to the long pool, whose only endpoint is dead. */
  private static final String LONG_CHAT =
      "{\"model\":\"m\",\"max_tokens\":5000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final List<String> lines = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startNode() {
    // the short pool answers, the long pool's only endpoint is a closed port; probes off, keys on
    ReliabilityConfig reliability = ReliabilityConfig.DEFAULTS
        .withHealth(dev.sluice.dispatcher.health.OutlierPolicy.DEFAULTS.withProbing(0, 500, 0))
        .withServer(ServerLimits.DEFAULTS.withHeaderDeadlineMillis(1000).withBodyDeadlineMillis(300))
        .withKeys(List.of(new ApiKey("tenant", ApiKeys.sha256Hex(KEY), 0, 0),
            new ApiKey("limited", ApiKeys.sha256Hex(LIMITED_KEY), 1, 0)));
    DispatcherMetrics metrics = new DispatcherMetrics();
    AccessLog log = new AccessLog(256, line -> lines.add(line.toString()));
    use(Dispatcher.start(vertx, base().withBodyCapBytes(4096)
            .withPool(pool("short", SHORT_CONTEXT, shortUp.url())).withPool(pool("long", LONG_CONTEXT, deadUrl())),
        DispatcherHooks.calibrating(CalibrationParams.defaults(), metrics.registry()), metrics, 2, reliability, log)
        .await());
  }

  private Http.Reply send(HttpMethod method, String path, String key, String contentType, String body) {
    return http.send(method, path, body, h -> {
      if (contentType != null) {
        h.set("content-type", contentType);
      }
      if (key != null) {
        h.set("authorization", "Bearer " + key);
      }
    }, null);
  }

  /** Sends {@code head} and {@code body} on a raw connection and closes it after {@code waitMillis}. */
  private void raw(String head, String body, Runnable whileOpen) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", dispatcher.port())) {
      OutputStream out = socket.getOutputStream();
      out.write((head + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      whileOpen.run();
    }
  }

  private double requestsTotal() {
    double sum = 0;
    for (String line : admin.get("/metrics").text().split("\n")) {
      if (line.startsWith("sluice_requests_total{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  void everyKindOfEndingMakesOneLogLineAndOneCount() throws Exception {
    List<String> expected = new ArrayList<>();
    record Case(int status, String outcome, String error) {
      String line() {
        return status + " " + outcome + " " + error;
      }
    }
    List<Case> cases = new ArrayList<>();

    assertThat(send(HttpMethod.POST, "/v1/chat/completions", KEY, "application/json", CHAT).status()).isEqualTo(200);
    cases.add(new Case(200, "ok", null));
    assertThat(send(HttpMethod.POST, "/v1/chat/completions", KEY, "application/json", "{not json").status()).isEqualTo(400);
    cases.add(new Case(400, "refused", "invalid_json"));
    assertThat(send(HttpMethod.POST, "/v1/chat/completions", null, "application/json", CHAT).status()).isEqualTo(401);
    cases.add(new Case(401, "refused", "invalid_api_key"));
    assertThat(send(HttpMethod.GET, "/v1/nothing-here", KEY, null, null).status()).isEqualTo(404);
    cases.add(new Case(404, "refused", "not_found"));
    assertThat(send(HttpMethod.GET, "/v1/chat/completions", KEY, null, null).status()).isEqualTo(405);
    cases.add(new Case(405, "refused", "method_not_allowed"));
    assertThat(send(HttpMethod.POST, "/v1/chat/completions", KEY, "application/json", "x".repeat(5000)).status())
        .isEqualTo(413);
    cases.add(new Case(413, "refused", "request_too_large"));
    assertThat(send(HttpMethod.POST, "/v1/chat/completions", KEY, "text/plain", CHAT).status()).isEqualTo(415);
    cases.add(new Case(415, "refused", "unsupported_media_type"));
    assertThat(send(HttpMethod.POST, "/v1/chat/completions", LIMITED_KEY, "application/json", CHAT).status())
        .isEqualTo(200);
    cases.add(new Case(200, "ok", null));
    assertThat(send(HttpMethod.POST, "/v1/chat/completions", LIMITED_KEY, "application/json", CHAT).status())
        .isEqualTo(429);
    cases.add(new Case(429, "refused", "rate_limit_exceeded"));
    assertThat(send(HttpMethod.POST, "/v1/chat/completions", KEY, "application/json", LONG_CHAT).status())
        .isEqualTo(503);
    cases.add(new Case(503, "error", "no_healthy_upstream"));

    // 408: the headers promise a body that never comes
    raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", "{\"model\":",
        () -> eventually(() -> lines.size() == cases.size() + 1, "the body deadline ended the request"));
    cases.add(new Case(408, "refused", "request_timeout"));

    // 499: the client leaves while the upstream is still thinking
    shortUp.behavior = (self, req, body) -> { };
    raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: " + CHAT.length() + "\r\n\r\n", CHAT,
        () -> eventually(() -> shortUp.received.size() == 3, "the request reached the upstream"));
    cases.add(new Case(499, "client_closed", "client_closed_request"));

    eventually(() -> lines.size() == cases.size(), "one line per request");
    for (Case c : cases) {
      expected.add(c.line());
    }
    List<String> logged = lines.stream().map(JsonObject::new)
        .map(l -> l.getInteger("status") + " " + l.getString("outcome") + " " + l.getString("error")).toList();
    assertThat(logged).containsExactlyElementsOf(expected);
    assertThat(requestsTotal()).isEqualTo(cases.size());
    // nothing more arrives later: still exactly one line per request
    Thread.sleep(100);
    assertThat(lines).hasSize(cases.size());
  }

  @Test
  void refusalsBeforeRoutingAreCountedUnderNoPool() {
    send(HttpMethod.POST, "/v1/chat/completions", null, "application/json", CHAT);
    send(HttpMethod.GET, "/v1/unknown", KEY, null, null);
    assertThat(admin.get("/metrics").text()).contains("sluice_requests_total{pool=\"none\",status=\"401\"} 1.0",
        "sluice_requests_total{pool=\"none\",status=\"404\"} 1.0",
        "sluice_failures_total{category=\"client\",code=\"invalid_api_key\"} 1.0");
  }
}
