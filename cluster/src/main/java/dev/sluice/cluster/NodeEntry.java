package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationState;
import java.util.Map;
import java.util.Set;

/**
 * What one node publishes under its own key each period.
 *
 * @param nodeId     the publishing node (its Vert.x node id)
 * @param at         publish time on the publisher's clock, epoch ms; the version of {@code own}
 * @param own        the node's own calibration ({@code SharedCalibration.localState()})
 * @param carried    last state seen of departed nodes, by node id, which this node keeps alive
 * @param inflight   requests in flight on this node, per pool
 * @param supersedes ids of earlier incarnations of this node whose state it restored from its file
 */
public record NodeEntry(
    String nodeId,
    long at,
    CalibrationState own,
    Map<String, Carried> carried,
    Map<String, Integer> inflight,
    Set<String> supersedes) {

  public NodeEntry {
    carried = Map.copyOf(carried);
    inflight = Map.copyOf(inflight);
    supersedes = Set.copyOf(supersedes);
  }

  /**
   * The last state seen of a node, stored at full weight; its weight is decayed when merged, from its
   * age, so every carrier decays it the same way and copies of it agree.
   *
   * @param at    the publish time of that state on its origin's clock (its version)
   * @param stats the origin's own calibration at that time
   */
  public record Carried(long at, CalibrationState stats) {
  }
}
