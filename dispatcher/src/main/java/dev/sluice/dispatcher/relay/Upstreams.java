package dev.sluice.dispatcher.relay;

import dev.sluice.dispatcher.config.DispatcherConfig;
import dev.sluice.dispatcher.metrics.DispatcherMetrics;
import dev.sluice.dispatcher.route.PoolRouter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/** All pools of a node, smallest context first, with the router over them. Shared by every event loop. */
public final class Upstreams {
  private final List<UpstreamPool> pools;
  private final PoolRouter router;

  public Upstreams(Vertx vertx, DispatcherConfig config, DispatcherMetrics metrics) {
    List<UpstreamPool> list = new ArrayList<>();
    int[] contexts = new int[config.pools().size()];
    for (int i = 0; i < contexts.length; i++) {
      list.add(new UpstreamPool(vertx, i, config.pools().get(i), config.timeouts(), metrics));
      contexts[i] = config.pools().get(i).context();
    }
    this.pools = List.copyOf(list);
    this.router = new PoolRouter(contexts);
  }

  public List<UpstreamPool> pools() {
    return pools;
  }

  public UpstreamPool pool(int index) {
    return pools.get(index);
  }

  public PoolRouter router() {
    return router;
  }

  /** The pool for a token budget. */
  public UpstreamPool forBudget(long budget) {
    return pools.get(router.poolFor(budget));
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (UpstreamPool p : pools) {
      closing.add(p.close());
    }
    return Future.join(closing).mapEmpty();
  }
}
