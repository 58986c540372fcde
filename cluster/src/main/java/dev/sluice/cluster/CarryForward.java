package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.ClassStats;
import dev.sluice.calibration.KeyStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The merge rule of the shared calibration, with no I/O: what one node remembers of the others, and how
 * it turns what it read this round into the state it adopts and the state it carries forward.
 *
 * <p>Every node's knowledge is identified by its node id and versioned by its publish time. A node
 * remembers the newest version it has seen of every other node, whether read from that node's own
 * entry or from another node's carried set (last writer wins per node id). Each node id therefore
 * counts once in a merge, however many nodes carry it. Nodes that are members and whose entries were
 * read (or could not be read this round) count at full weight; departed nodes count with their weight
 * halved every half-life since their last publish, are published in this node's carried set so that
 * a restarted node gets them back, and are forgotten after the maximum age or once a node declares
 * that it supersedes them.
 *
 * <p>Not thread safe: one exchange owns one instance and calls it from one round at a time.
 */
public final class CarryForward {

  /** What a round produced. */
  public record Result(
      CalibrationState others,
      Map<String, NodeEntry.Carried> carried,
      Map<String, Long> othersInflight,
      Set<String> liveContributors) {
  }

  private final String self;
  private final long halfLifeMillis;
  private final long maxAgeMillis;
  private final Map<String, NodeEntry.Carried> memory = new HashMap<>();
  private final Set<String> superseded = new HashSet<>();

  public CarryForward(String self, long halfLifeMillis, long maxAgeMillis) {
    this.self = self;
    this.halfLifeMillis = halfLifeMillis;
    this.maxAgeMillis = maxAgeMillis;
  }

  /** Ids this node itself supersedes (earlier incarnations restored from its state file). */
  public void supersede(Collection<String> ids) {
    superseded.addAll(ids);
  }

  /**
   * One round.
   *
   * @param now        this node's clock, epoch ms
   * @param read       entries read this round from the other members, by node id
   * @param unreadLive members whose entry could not be read this round (timeout, error); they keep
   *                   counting at full weight from memory, since they are still members
   */
  public Result merge(long now, Map<String, NodeEntry> read, Set<String> unreadLive) {
    Set<String> live = new HashSet<>(unreadLive);
    for (NodeEntry e : read.values()) {
      superseded.addAll(e.supersedes());
    }
    for (NodeEntry e : read.values()) {
      if (e.nodeId().equals(self)) {
        continue;
      }
      live.add(e.nodeId());
      remember(e.nodeId(), new NodeEntry.Carried(e.at(), e.own()));
      e.carried().forEach(this::remember);
    }
    memory.keySet().removeIf(id -> id.equals(self) || superseded.contains(id));
    memory.values().removeIf(c -> now - c.at() > maxAgeMillis);
    live.removeAll(superseded);

    Map<CalibrationKey, List<KeyStats>> parts = new HashMap<>();
    Map<String, List<ClassStats>> classParts = new HashMap<>();
    Map<String, NodeEntry.Carried> carried = new HashMap<>();
    memory.forEach((id, c) -> {
      double factor = 1.0;
      if (!live.contains(id)) {
        carried.put(id, c);
        factor = decayFactor(now - c.at());
      }
      for (Map.Entry<CalibrationKey, KeyStats> s : c.stats().ratios().entrySet()) {
        KeyStats stats = factor == 1.0 ? s.getValue() : s.getValue().decayed(factor);
        parts.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(stats);
      }
      for (Map.Entry<String, ClassStats> s : c.stats().classes().entrySet()) {
        ClassStats stats = factor == 1.0 ? s.getValue() : s.getValue().decayed(factor);
        classParts.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(stats);
      }
    });
    Map<CalibrationKey, KeyStats> ratios = new HashMap<>();
    parts.forEach((k, list) -> {
      KeyStats m = KeyStats.merge(list);
      if (m != null) {
        ratios.put(k, m);
      }
    });
    // The regression's normal equations add up: the sum is the fit of every node's samples together.
    Map<String, ClassStats> classes = new HashMap<>();
    classParts.forEach((model, list) -> classes.put(model, ClassStats.merge(list)));
    CalibrationState others = new CalibrationState(ratios, classes);

    Map<String, Long> inflight = new HashMap<>();
    for (NodeEntry e : read.values()) {
      if (!e.nodeId().equals(self)) {
        e.inflight().forEach((pool, n) -> inflight.merge(pool, (long) n, Long::sum));
      }
    }
    Set<String> contributors = new HashSet<>(live);
    contributors.retainAll(memory.keySet());
    return new Result(others, Map.copyOf(carried), Map.copyOf(inflight), Set.copyOf(contributors));
  }

  /** Weight left after {@code ageMillis}: halves every half-life; never more than 1 (clock skew). */
  public double decayFactor(long ageMillis) {
    return ageMillis <= 0 ? 1.0 : Math.pow(0.5, (double) ageMillis / halfLifeMillis);
  }

  private void remember(String id, NodeEntry.Carried c) {
    if (id.equals(self) || superseded.contains(id)) {
      return;
    }
    memory.merge(id, c, (old, neu) -> neu.at() > old.at() ? neu : old);
  }
}
