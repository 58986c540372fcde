package dev.sluice.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a node knows about its cluster, for {@code GET /admin/cluster}, {@code /health/ready} details
 * and metrics. Immutable; a new one is made after every exchange round.
 *
 * @param mode                 "cluster" (Hazelcast) or "single" (local table)
 * @param nodeId               this node's id
 * @param members              node ids of the current members, as this node sees them
 * @param lastPublishMillis    epoch ms of the last successful publish, 0 if none yet
 * @param reachable            the last round wrote and read everything it needed within the timeouts
 * @param consecutiveFailures  failed rounds since the last good one
 * @param publishFailuresTotal failed rounds since start
 * @param rounds               rounds since start
 * @param mergedSamples        samples behind the merged calibration (own and others'), per "model/category"
 * @param contributors         live nodes whose state was merged in the last round
 * @param carried              departed nodes whose state this node carries forward
 * @param othersInflight       requests in flight per pool on the other live nodes, from their last entries
 * @param bytesPublished       size of this node's last published entry
 * @param bytesRead            bytes read in the last round
 */
public record ClusterStatus(
    String mode,
    String nodeId,
    List<String> members,
    long lastPublishMillis,
    boolean reachable,
    int consecutiveFailures,
    long publishFailuresTotal,
    long rounds,
    Map<String, Long> mergedSamples,
    List<String> contributors,
    List<String> carried,
    Map<String, Long> othersInflight,
    long bytesPublished,
    long bytesRead) {

  public ClusterStatus {
    members = List.copyOf(members);
    mergedSamples = Map.copyOf(mergedSamples);
    contributors = List.copyOf(contributors);
    carried = List.copyOf(carried);
    othersInflight = Map.copyOf(othersInflight);
  }

  static ClusterStatus initial(String mode, String nodeId) {
    return new ClusterStatus(mode, nodeId, List.of(nodeId), 0, true, 0, 0, 0, Map.of(), List.of(), List.of(), Map.of(), 0, 0);
  }

  public JsonObject toJson() {
    JsonObject samples = new JsonObject();
    mergedSamples.forEach(samples::put);
    JsonObject inflight = new JsonObject();
    othersInflight.forEach(inflight::put);
    return new JsonObject()
        .put("mode", mode)
        .put("nodeId", nodeId)
        .put("members", new JsonArray(List.copyOf(members)))
        .put("lastPublish", lastPublishMillis == 0 ? null : Instant.ofEpochMilli(lastPublishMillis).toString())
        .put("reachable", reachable)
        .put("consecutiveFailures", consecutiveFailures)
        .put("publishFailuresTotal", publishFailuresTotal)
        .put("rounds", rounds)
        .put("mergedSamples", samples)
        .put("contributors", new JsonArray(List.copyOf(contributors)))
        .put("carried", new JsonArray(List.copyOf(carried)))
        .put("othersInflight", inflight)
        .put("bytesPublished", bytesPublished)
        .put("bytesRead", bytesRead);
  }
}
