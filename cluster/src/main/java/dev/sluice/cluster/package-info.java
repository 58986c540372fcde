/**
 * Sharing the calibration between dispatcher nodes: the Hazelcast member config and clustered Vert.x
 * ({@link dev.sluice.cluster.ClusterConfig}, {@link dev.sluice.cluster.MemberConfig},
 * {@link dev.sluice.cluster.ClusteredVertx}), and the periodic exchange that publishes each node's
 * state under its own key, merges the others' and carries departed nodes' knowledge forward
 * ({@link dev.sluice.cluster.ClusterNode}, {@link dev.sluice.cluster.CarryForward}). Nothing here runs
 * on the request path.
 */
package dev.sluice.cluster;
