package dev.sluice.demo;

import dev.sluice.dispatcher.DispatcherMain;
import dev.sluice.dispatcher.savings.LiveFigures;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The demo's last phase: a burst through the routed fleet that leaves both pools with requests waiting long
 * enough for the nodes to measure {@code sluice_rho} (generation tokens per saturated instance-second, short
 * pool over long pool, each on its own traffic) instead of showing the planner's. An instance counts as
 * saturated over a scrape interval when requests were waiting at both ends, and each pool needs five such
 * instance-seconds; the burst is sized so that the virtual GPUs, which keep their pace whatever the machine's
 * load, take several seconds to admit it. Requests still in flight when the phase ends are dropped with the
 * fleet; nothing of this phase enters the fleets' latency figures.
 */
final class SaturationPhase {
  /** Short requests per short instance: a backlog its step budget admits in several wall seconds. */
  static final int SHORT_PER_INSTANCE = 120;
  /** Long requests for the long pool: prefill-heavy, about four a second at the demo's time scale. */
  static final int LONG_REQUESTS = 48;
  private static final long POLL_MILLIS = 200;

  /** What the phase measured: the nodes' sluice_rho once measured, or NaN. */
  record Result(double rho, boolean measured, double seconds, int requests) {
  }

  private SaturationPhase() {
  }

  /**
   * Sends every body at once, spread over the nodes, and waits until a node's {@code sluice_rho} is measured
   * or {@code timeoutMillis} pass.
   */
  static Result run(List<DispatcherMain.Node> nodes, List<Buffer> bodies, long timeoutMillis)
      throws InterruptedException {
    long started = System.nanoTime();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < bodies.size(); i++) {
      int port = nodes.get(i % nodes.size()).dispatcher().port();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + DemoFleet.HOST + ":" + port
              + "/v1/chat/completions"))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i).getBytes())).build();
      // completes, or fails when the fleet is closed under it: either way nothing waits for it
      client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    }
    long deadline = started + timeoutMillis * 1_000_000L;
    while (System.nanoTime() < deadline) {
      for (DispatcherMain.Node n : nodes) {
        LiveFigures figures = n.dispatcher().liveFigures();
        if (figures.rhoMeasured()) {
          return new Result(figures.rho(), true, (System.nanoTime() - started) / 1e9, bodies.size());
        }
      }
      Thread.sleep(POLL_MILLIS);
    }
    return new Result(Double.NaN, false, (System.nanoTime() - started) / 1e9, bodies.size());
  }
}
