package dev.sluice.demo;

import dev.sluice.dispatcher.DispatcherMain;
import dev.sluice.engine.CostModel;
import dev.sluice.engine.PoolShape;
import dev.sluice.mock.MockConfig;
import dev.sluice.mock.MockVllm;
import dev.sluice.mock.PromptCounter;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One fleet of the demo, in this JVM: mock vLLM instances with {@code gpu} timing on free ports of
 * 127.0.0.1, and the dispatcher nodes in front of them. Closing stops the nodes first, then the mocks.
 */
final class DemoFleet implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  private static final long CLOSE_SECONDS = 3;

  /** A started mock and the pool it belongs to. */
  record Instance(String pool, int port) {
    String url() {
      return "http://" + HOST + ":" + port;
    }
  }

  private final Vertx mocks = Vertx.vertx();
  final List<Instance> instances = new ArrayList<>();
  final List<DispatcherMain.Node> nodes = new ArrayList<>();
  private volatile boolean closed;

  /**
   * Starts one mock instance of {@code shape}, time-scaled, counting prompt tokens with cl100k, without a prefix
   * cache: the demo sends its slice's bodies again and again (the saturation burst is nothing else), and a cache
   * would serve every repeat nearly free, which the traffic the slice stands for never gets.
   */
  Instance mock(String pool, PoolShape shape, double timeScale) {
    PoolShape uncached = shape.withPrefixCaching(false);
    MockVllm mock = new MockVllm(MockConfig.of(uncached, CostModel.GPU, PromptCounter.Mode.CL100K)
        .withModel(Demo.MODEL).withTimeScale(timeScale));
    mocks.deployVerticle(mock).await();
    Instance i = new Instance(pool, mock.actualPort());
    instances.add(i);
    return i;
  }

  /** {@code NAME=CONTEXT@URL,URL...} for the mocks of one pool. */
  String poolSpec(String pool, int context) {
    StringBuilder b = new StringBuilder(pool).append('=').append(context).append('@');
    String sep = "";
    for (Instance i : instances) {
      if (i.pool().equals(pool)) {
        b.append(sep).append(i.url());
        sep = ",";
      }
    }
    return b.toString();
  }

  /**
   * Starts a dispatcher node from a command line (the same path {@code ./sluice dispatcher} takes), with its
   * access log off (the demo prints its own summary, not a line per request) and its management listener on a
   * free port (several nodes run side by side).
   */
  DispatcherMain.Node node(List<String> args) {
    DispatcherMain.Node node = DispatcherMain.start(args.toArray(String[]::new),
        Map.of("SLUICE_ACCESS_LOG_ENABLED", "false", "SLUICE_MANAGEMENT_PORT", "0")).await();
    nodes.add(node);
    return node;
  }

  /** A port nobody listened on a moment ago, for Hazelcast (which needs a fixed one). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (DispatcherMain.Node n : nodes) {
      n.close();
    }
    try {
      mocks.close().await(CLOSE_SECONDS, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort: the JVM may be exiting
    }
  }
}
