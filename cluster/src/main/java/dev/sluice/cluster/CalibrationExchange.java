package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.SharedCalibration;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The publish-and-merge loop. Deployed as a worker verticle, so its rounds (JSON, merge, the calibration
 * callbacks, the state file) never run on an event loop; its cluster calls are async with a timeout
 * each. Rounds never overlap: a tick that finds the previous round still waiting is skipped.
 */
final class CalibrationExchange extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(CalibrationExchange.class.getName());

  private final ClusterConfig config;
  private final SharedCalibration calibration;
  private final PoolLoad load;
  private final String mode;
  private final Function<Context, StateTable> tableFactory;
  private final CalibrationFile file;

  private StateTable table;
  private CarryForward carry;
  private Set<String> supersedes = Set.of();
  private Map<String, NodeEntry.Carried> carriedToPublish = Map.of();
  private boolean roundRunning;
  private long publishTimer = -1;
  private long saveTimer = -1;
  private long lastPublish;
  private long failuresTotal;
  private int consecutiveFailures;
  private long rounds;

  private final AtomicLong rejected = new AtomicLong();
  private final Set<String> rejectedFrom = new HashSet<>();
  private volatile ClusterStatus status;
  private volatile Map<String, Long> othersInflight = Map.of();

  CalibrationExchange(ClusterConfig config, SharedCalibration calibration, PoolLoad load, String mode,
      Function<Context, StateTable> tableFactory) {
    this.config = config;
    this.calibration = calibration;
    this.load = load;
    this.mode = mode;
    this.tableFactory = tableFactory;
    this.file = config.stateFile() == null ? null : new CalibrationFile(config.stateFile());
  }

  ClusterStatus status() {
    return status;
  }

  Map<String, Long> othersInflight() {
    return othersInflight;
  }

  @Override
  public Future<?> start() {
    table = tableFactory.apply(context);
    carry = new CarryForward(table.self(), config.carryHalfLife().toMillis(), config.carryMaxAge().toMillis());
    status = ClusterStatus.initial(mode, table.self());
    try {
      restore();
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("calibration file: " + e.getMessage(), e));
    }
    // The first round runs now, so a joining node is warm before its first period is over.
    return round().andThen(done -> {
      publishTimer = vertx.setPeriodic(config.publishPeriod().toMillis(), t -> tick());
      if (file != null) {
        saveTimer = vertx.setPeriodic(config.savePeriod().toMillis(), t -> save());
      }
    }).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(publishTimer);
    vertx.cancelTimer(saveTimer);
    save();
    // Departing on purpose: others carry this node's last state forward from their memory.
    return table.remove()
        .timeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture());
  }

  /** Runs on this verticle's worker context, which is why the file read may block. */
  private void restore() throws IOException {
    if (file == null) {
      return;
    }
    var saved = file.load();
    if (saved.isEmpty()) {
      return;
    }
    calibration.restore(saved.get().state());
    String previous = saved.get().nodeId();
    if (previous != null && !previous.equals(table.self())) {
      // Others may still carry what this node knew in its previous life; the restored copy replaces it.
      supersedes = Set.of(previous);
      carry.supersede(supersedes);
    }
    LOG.info(() -> "restored calibration for " + saved.get().state().size() + " keys from " + file.path());
  }

  private void save() {
    if (file == null) {
      return;
    }
    try {
      file.save(table.self(), System.currentTimeMillis(), calibration.localState());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "could not save calibration to " + file.path(), e);
    }
  }

  private void tick() {
    if (!roundRunning) {
      try {
        round();
      } catch (RuntimeException e) {
        // A bug or an unexpected table failure must not stop the rounds for good.
        roundRunning = false;
        LOG.log(Level.WARNING, "calibration exchange round failed", e);
      }
    }
  }

  /** One round; never fails (a failure is counted and the node goes on with what it remembers). */
  private Future<Void> round() {
    roundRunning = true;
    long now = System.currentTimeMillis();
    String self = table.self();
    String json;
    try {
      CalibrationState own = calibration.localState();
      json = EntryCodec.encode(new NodeEntry(self, now, own, carriedToPublish, load.inflightByPool(), supersedes));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not build this node's entry", e);
      roundRunning = false;
      return Future.succeededFuture();
    }
    long timeout = config.callTimeout().toMillis();
    Future<Boolean> written = table.write(json, config.entryTtl().toMillis())
        .timeout(timeout, TimeUnit.MILLISECONDS)
        .map(true)
        .otherwise(false);
    List<String> others = new ArrayList<>(table.members());
    others.remove(self);
    List<Future<Read>> reads = new ArrayList<>(others.size());
    for (String id : others) {
      reads.add(table.read(id)
          .timeout(timeout, TimeUnit.MILLISECONDS)
          .map(v -> new Read(id, v, true))
          .otherwise(e -> new Read(id, null, false)));
    }
    List<Future<?>> all = new ArrayList<>(reads);
    all.add(written);
    return Future.all(all).<Void>transform(ignored -> {
      finish(now, json.getBytes(StandardCharsets.UTF_8).length, written.result(), others, reads);
      return Future.succeededFuture();
    }).andThen(done -> roundRunning = false);
  }

  private record Read(String nodeId, String value, boolean ok) {
  }

  /** An entry that is not merged: counted every time, logged once until that member publishes a good one. */
  private void reject(String nodeId, String why) {
    rejected.incrementAndGet();
    if (rejectedFrom.add(nodeId)) {
      LOG.warning(() -> "dropping the calibration entry of cluster member " + nodeId + ": " + why
          + " (counted in sluice_cluster_rejected_entries_total until it publishes a valid one)");
    }
  }

  /** Entries read from other members and dropped (malformed, or outside what a member may publish). */
  long rejectedEntries() {
    return rejected.get();
  }

  private void finish(long now, int bytesPublished, boolean written, List<String> members, List<Future<Read>> reads) {
    Map<String, NodeEntry> entries = new HashMap<>();
    Set<String> unread = new HashSet<>();
    long bytesRead = 0;
    boolean allRead = true;
    for (Future<Read> f : reads) {
      Read r = f.result();
      if (!r.ok()) {
        allRead = false;
        unread.add(r.nodeId());
      } else if (r.value() != null) {
        bytesRead += r.value().getBytes(StandardCharsets.UTF_8).length;
        NodeEntry entry;
        try {
          entry = EntryCodec.decode(r.value());
        } catch (IllegalArgumentException e) {
          reject(r.nodeId(), e.getMessage());
          continue;
        }
        String problem = EntryCheck.problem(entry, r.nodeId(), now);
        if (problem != null) {
          reject(r.nodeId(), problem);
          continue;
        }
        if (rejectedFrom.remove(r.nodeId())) {
          LOG.info(() -> "the entry of " + r.nodeId() + " is merged again");
        }
        entries.put(r.nodeId(), entry);
      }
    }
    CarryForward.Result merged = carry.merge(now, entries, unread);
    carriedToPublish = merged.carried();
    othersInflight = merged.othersInflight();
    try {
      calibration.adoptClusterState(merged.others());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "calibration refused the cluster state", e);
    }

    rounds++;
    boolean ok = written && allRead;
    if (written) {
      lastPublish = now;
    }
    if (ok) {
      consecutiveFailures = 0;
    } else {
      consecutiveFailures++;
      failuresTotal++;
    }
    List<String> memberList = new ArrayList<>(members);
    memberList.add(table.self());
    memberList.sort(null);
    status = new ClusterStatus(mode, table.self(), memberList, lastPublish, ok, consecutiveFailures, failuresTotal,
        rounds, mergedSamples(merged.others()), sorted(merged.liveContributors()), sorted(merged.carried().keySet()),
        merged.othersInflight(), bytesPublished, bytesRead);
  }

  /** Samples per ratio key ({@code model/category}) and per model's regression ({@code model/classes}). */
  private Map<String, Long> mergedSamples(CalibrationState others) {
    Map<String, Long> out = new TreeMap<>();
    for (CalibrationState s : List.of(calibration.localState(), others)) {
      s.ratios().forEach((k, v) -> out.merge(k.model() + "/" + k.category(), v.samples(), Long::sum));
      s.classes().forEach((model, v) -> out.merge(model + "/classes", v.samples(), Long::sum));
    }
    return out;
  }

  private static List<String> sorted(Set<String> ids) {
    List<String> l = new ArrayList<>(ids);
    l.sort(null);
    return l;
  }
}
