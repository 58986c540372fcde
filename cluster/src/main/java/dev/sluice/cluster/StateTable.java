package dev.sluice.cluster;

import io.vertx.core.Future;
import java.util.Set;

/** Where nodes publish their entries: a Hazelcast map in a cluster, a local map on a single node. */
interface StateTable {

  /** This node's id in the table. */
  String self();

  /** Ids of the nodes currently members, this one included; a local view, no network call. */
  Set<String> members();

  /** Writes this node's entry; it expires after {@code ttlMillis} unless rewritten. */
  Future<Void> write(String value, long ttlMillis);

  /** Reads a node's entry; null when it has none. */
  Future<String> read(String nodeId);

  /** Removes this node's entry (on a graceful stop). */
  Future<Void> remove();
}
