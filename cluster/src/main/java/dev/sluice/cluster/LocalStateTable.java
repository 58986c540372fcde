package dev.sluice.cluster;

import io.vertx.core.Future;
import java.util.Set;

/** The single-node table: the same exchange runs, with this node as the only member. */
final class LocalStateTable implements StateTable {

  private final String self;
  private volatile String value;

  LocalStateTable(String self) {
    this.self = self;
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public Set<String> members() {
    return Set.of(self);
  }

  @Override
  public Future<Void> write(String v, long ttlMillis) {
    value = v;
    return Future.succeededFuture();
  }

  @Override
  public Future<String> read(String nodeId) {
    return Future.succeededFuture(self.equals(nodeId) ? value : null);
  }

  @Override
  public Future<Void> remove() {
    value = null;
    return Future.succeededFuture();
  }
}
