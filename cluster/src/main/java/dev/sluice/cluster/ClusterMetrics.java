package dev.sluice.cluster;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The node's cluster meters. With the Prometheus registry they read {@code sluice_cluster_reachable},
 * {@code sluice_cluster_publish_failures_total}, {@code sluice_cluster_members},
 * {@code sluice_cluster_carried_nodes}, {@code sluice_cluster_published_bytes} and
 * {@code sluice_cluster_rejected_entries_total}.
 */
public final class ClusterMetrics implements MeterBinder {

  private final ClusterNode node;

  public ClusterMetrics(ClusterNode node) {
    this.node = node;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("sluice.cluster.reachable", node, n -> n.status().reachable() ? 1 : 0)
        .description("1 when the last calibration exchange round reached the cluster, else 0")
        .register(registry);
    FunctionCounter.builder("sluice.cluster.publish.failures", node, n -> n.status().publishFailuresTotal())
        .description("calibration exchange rounds that failed or timed out")
        .register(registry);
    Gauge.builder("sluice.cluster.members", node, n -> n.status().members().size())
        .description("cluster members as this node sees them")
        .register(registry);
    Gauge.builder("sluice.cluster.carried.nodes", node, n -> n.status().carried().size())
        .description("departed nodes whose calibration this node carries forward")
        .register(registry);
    FunctionCounter.builder("sluice.cluster.rejected.entries", node, ClusterNode::rejectedEntries)
        .description("entries read from other members and dropped before merging (malformed, a ratio or count "
            + "out of bounds, a timestamp ahead of this node's clock)")
        .register(registry);
    Gauge.builder("sluice.cluster.published.bytes", node, n -> n.status().bytesPublished())
        .description("size of this node's last published calibration entry")
        .baseUnit("bytes")
        .register(registry);
  }
}
