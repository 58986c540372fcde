package dev.sluice.dispatcher.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.dispatcher.admission.AdmissionPolicy;
import dev.sluice.dispatcher.config.ConfigException;
import dev.sluice.dispatcher.config.ConfigNodes;
import dev.sluice.dispatcher.health.OutlierPolicy;
import dev.sluice.dispatcher.protocol.ServerLimits;
import dev.sluice.dispatcher.security.ApiKey;
import dev.sluice.dispatcher.security.ImagePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code reliability:} section of the dispatcher's YAML file (see docs/reliability.md,
 * "Configuration"). Unknown keys are refused, and a bad value fails the start with the key's path.
 */
public final class ReliabilityConfigLoader {

  private static final Set<String> TOP = Set.of("server", "health", "admission", "retry_budget", "spill_over",
      "security", "drain_grace_ms");
  private static final Set<String> SERVER = Set.of("max_initial_line_length", "max_header_size",
      "header_deadline_ms", "body_deadline_ms", "idle_timeout_s", "h2c");
  private static final Set<String> HEALTH = Set.of("consecutive_failures", "base_ejection_ms", "max_ejection_ms",
      "max_ejection_share", "probe_interval_ms", "probe_timeout_ms", "unhealthy_threshold", "healthy_threshold",
      "scrape_interval_ms", "load_stale_ms");
  private static final Set<String> ADMISSION = Set.of("max_in_flight_per_endpoint", "max_waiters", "max_wait_ms",
      "retry_after_contended_s", "retry_after_unavailable_s");
  private static final Set<String> RETRY = Set.of("ratio", "min");
  private static final Set<String> SECURITY = Set.of("image_urls", "keys", "upstream_keys");
  private static final Set<String> UPSTREAM_KEY = Set.of("env");
  private static final Set<String> KEY = Set.of("name", "sha256", "requests_per_minute", "tokens_per_minute");

  /** Where {@code upstream_keys.*.env} names are looked up (tests substitute their own). */
  static java.util.function.UnaryOperator<String> environment = System::getenv;

  private ReliabilityConfigLoader() {
  }

  /** The section from the {@code --config FILE} among the dispatcher's flags; defaults without one. */
  public static ReliabilityConfig fromArgs(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--config")) {
        return fromYaml(Path.of(args[i + 1]));
      }
    }
    return ReliabilityConfig.DEFAULTS;
  }

  /** The {@code reliability:} section of a whole parsed configuration tree; defaults when absent. */
  public static ReliabilityConfig fromRoot(JsonNode root) {
    JsonNode section = root == null ? null : root.get("reliability");
    return section == null || section.isNull() ? ReliabilityConfig.DEFAULTS : fromTree(section);
  }

  public static ReliabilityConfig fromYaml(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config " + file + ": " + e.getMessage(), e);
    }
    JsonNode section = root == null ? null : root.get("reliability");
    return section == null || section.isNull() ? ReliabilityConfig.DEFAULTS : fromTree(section);
  }

  /** Maps the {@code reliability:} object. */
  public static ReliabilityConfig fromTree(JsonNode r) {
    try {
      return read(r);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("reliability: " + e.getMessage(), e);
    }
  }

  private static ReliabilityConfig read(JsonNode r) {
    ConfigNodes.mapping(r, "reliability", TOP);
    ReliabilityConfig c = ReliabilityConfig.DEFAULTS;
    JsonNode s = r.get("server");
    if (s != null) {
      ConfigNodes.mapping(s, "reliability.server", SERVER);
      ServerLimits d = c.server();
      c = c.withServer(new ServerLimits(
          integer(s, "max_initial_line_length", "reliability.server", d.maxInitialLineLength()),
          integer(s, "max_header_size", "reliability.server", d.maxHeaderSize()),
          integer(s, "header_deadline_ms", "reliability.server", d.headerDeadlineMillis()),
          integer(s, "body_deadline_ms", "reliability.server", d.bodyDeadlineMillis()),
          integer(s, "idle_timeout_s", "reliability.server", d.idleTimeoutSeconds()),
          bool(s, "h2c", "reliability.server", d.h2cEnabled())));
    }
    JsonNode h = r.get("health");
    if (h != null) {
      ConfigNodes.mapping(h, "reliability.health", HEALTH);
      OutlierPolicy d = c.health();
      String at = "reliability.health";
      c = c.withHealth(new OutlierPolicy(
          integer(h, "consecutive_failures", at, d.consecutiveFailures()),
          integer(h, "base_ejection_ms", at, d.baseEjectionMillis()),
          integer(h, "max_ejection_ms", at, d.maxEjectionMillis()),
          number(h, "max_ejection_share", at, d.maxEjectionShare()),
          integer(h, "probe_interval_ms", at, d.probeIntervalMillis()),
          integer(h, "probe_timeout_ms", at, d.probeTimeoutMillis()),
          integer(h, "unhealthy_threshold", at, d.unhealthyThreshold()),
          integer(h, "healthy_threshold", at, d.healthyThreshold()),
          integer(h, "scrape_interval_ms", at, d.scrapeIntervalMillis()),
          integer(h, "load_stale_ms", at, d.loadStaleMillis())));
    }
    JsonNode a = r.get("admission");
    if (a != null) {
      ConfigNodes.mapping(a, "reliability.admission", ADMISSION);
      AdmissionPolicy d = c.admission();
      String at = "reliability.admission";
      c = c.withAdmission(new AdmissionPolicy(
          integer(a, "max_in_flight_per_endpoint", at, d.maxInFlightPerEndpoint()),
          integer(a, "max_waiters", at, d.maxWaiters()),
          integer(a, "max_wait_ms", at, d.maxWaitMillis()),
          integer(a, "retry_after_contended_s", at, d.retryAfterContendedSeconds()),
          integer(a, "retry_after_unavailable_s", at, d.retryAfterUnavailableSeconds())));
    }
    JsonNode b = r.get("retry_budget");
    if (b != null) {
      ConfigNodes.mapping(b, "reliability.retry_budget", RETRY);
      c = new ReliabilityConfig(c.server(), c.health(), c.admission(),
          number(b, "ratio", "reliability.retry_budget", c.retryRatio()),
          integer(b, "min", "reliability.retry_budget", c.retryMin()),
          c.spillOver(), c.keys(), c.images(), c.drainGrace(), c.upstreamKeys());
    }
    c = c.withSpillOver(bool(r, "spill_over", "reliability", c.spillOver()));
    c = c.withDrainGrace(Duration.ofMillis(integer(r, "drain_grace_ms", "reliability", c.drainGrace().toMillis())));
    JsonNode sec = r.get("security");
    if (sec != null) {
      ConfigNodes.mapping(sec, "reliability.security", SECURITY);
      JsonNode images = sec.get("image_urls");
      if (images != null) {
        c = c.withImages(switch (images.asText()) {
          case "reject" -> ImagePolicy.REJECT_REMOTE;
          case "allow" -> ImagePolicy.ALLOW;
          default -> throw new ConfigException("reliability.security.image_urls must be 'reject' or 'allow', got '"
              + images.asText() + "'");
        });
      }
      JsonNode keys = sec.get("keys");
      if (keys != null) {
        if (!keys.isArray()) {
          throw new ConfigException("reliability.security.keys must be a list");
        }
        List<ApiKey> list = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
          String at = "reliability.security.keys[" + i + "]";
          JsonNode k = keys.get(i);
          ConfigNodes.mapping(k, at, KEY);
          list.add(new ApiKey(k.path("name").asText(null), k.path("sha256").asText(null),
              integer(k, "requests_per_minute", at, 0), integer(k, "tokens_per_minute", at, 0)));
        }
        c = c.withKeys(list);
      }
      JsonNode upstream = sec.get("upstream_keys");
      if (upstream != null) {
        ConfigNodes.mapping(upstream, "reliability.security.upstream_keys", null);
        Map<String, String> resolved = new LinkedHashMap<>();
        for (Iterator<String> it = upstream.fieldNames(); it.hasNext(); ) {
          String pool = it.next();
          String at = "reliability.security.upstream_keys." + pool;
          JsonNode entry = upstream.get(pool);
          ConfigNodes.mapping(entry, at, UPSTREAM_KEY);
          String variable = entry.path("env").asText("");
          String value = variable.isEmpty() ? null : environment.apply(variable);
          if (value == null || value.isBlank()) {
            throw new ConfigException(at + ".env names '" + variable + "', which is not set in the environment");
          }
          resolved.put(pool, value.trim());
        }
        c = c.withUpstreamKeys(resolved);
      }
    }
    return c;
  }

  private static int integer(JsonNode node, String key, String at, long fallback) {
    return ConfigNodes.integer(node, key, at + "." + key, (int) fallback);
  }

  private static double number(JsonNode node, String key, String at, double fallback) {
    return ConfigNodes.number(node, key, at + "." + key, fallback);
  }

  private static boolean bool(JsonNode node, String key, String at, boolean fallback) {
    return ConfigNodes.bool(node, key, at + "." + key, fallback);
  }
}
