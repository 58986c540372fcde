package dev.sluice.cluster;

import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.KeyStats;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cluster member in its own process (started by {@link NetnsPartitionTest} inside a network namespace).
 * Reads commands on stdin ({@code learn MODEL CATEGORY SAMPLES WEIGHT RATIO}), prints a status line
 * ({@code STATUS {json}}) every 200 ms, and serves a stand-in request path on an event loop every 5 ms.
 *
 * <p>Args: clusterName interface port member[,member...]
 */
public final class PartitionMember {

  private PartitionMember() {
  }

  public static void main(String[] args) throws Exception {
    ClusterConfig config = ClusterConfig.defaults()
        .withMembership(args[0], args[1], Integer.parseInt(args[2]), Arrays.asList(args[3].split(",")))
        .withEntryTtl(Duration.ofSeconds(3))
        .withCallTimeout(Duration.ofSeconds(1))
        .withHazelcastProperties(LocalMember.FAST);
    Vertx vertx = ClusteredVertx.start(config).await(120, TimeUnit.SECONDS);
    TestCalibration cal = new TestCalibration();
    ClusterNode node = ClusterNode.start(vertx, config, cal).await(60, TimeUnit.SECONDS);

    AtomicLong served = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CalibrationKey probe = new CalibrationKey("probe", "prose");
    vertx.setPeriodic(5, t -> {
      try {
        cal.estimateTokens(probe, 1000);
        served.incrementAndGet();
      } catch (RuntimeException e) {
        errors.incrementAndGet();
      }
    });
    vertx.setPeriodic(200, t -> {
      JsonObject line = new JsonObject()
          .put("status", node.status().toJson())
          .put("adopted", EntryCodec.rows(cal.adopted()))
          .put("served", served.get())
          .put("errors", errors.get());
      System.out.println("STATUS " + line.encode());
    });

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String cmd;
    while ((cmd = in.readLine()) != null) {
      String[] w = cmd.trim().split("\\s+");
      if (w[0].equals("learn")) {
        cal.learn(new CalibrationKey(w[1], w[2]), new KeyStats(Long.parseLong(w[3]), Double.parseDouble(w[4]),
            Double.parseDouble(w[5]), 0, 0));
      } else if (w[0].equals("quit")) {
        break;
      }
    }
    vertx.close().await(20, TimeUnit.SECONDS);
    System.exit(0);
  }
}
