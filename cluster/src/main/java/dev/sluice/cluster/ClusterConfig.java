package dev.sluice.cluster;

import dev.sluice.config.Key;
import dev.sluice.config.MapOf;
import dev.sluice.config.Section;
import dev.sluice.config.Sub;
import dev.sluice.config.Type;
import dev.sluice.config.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a node joins the cluster and shares its calibration: the {@code cluster:} section. Immutable; each
 * key (name, default, rule, flag, meaning) is defined once below, and the dispatcher binds the section
 * from its file, environment and flags with the rest of its configuration (docs/configuration.md).
 *
 * @param enabled             join a Hazelcast cluster; when false the same exchange runs on a local table
 * @param clusterName         Hazelcast cluster name
 * @param port                Hazelcast member port
 * @param portAutoIncrement   try the next ports when {@code port} is taken (off when a port is given explicitly)
 * @param bindInterface       interface to bind and advertise as written, {@code *} for every one; null: chosen
 *                            by {@link ClusterInterface}
 * @param members             TCP-IP seed members
 * @param kubernetes          Kubernetes discovery instead of TCP-IP, or null
 * @param publishPeriod       how often a node publishes its state and merges the others'
 * @param entryTtl            lifetime of a published entry that is not refreshed
 * @param callTimeout         bound on every cluster call
 * @param carryHalfLife       half-life of the weight of a departed node's carried state
 * @param carryMaxAge         carried state older than this is dropped
 * @param stateFile           the calibration's file, or null
 * @param savePeriod          how often the state file is rewritten while running
 * @param hazelcastProperties extra Hazelcast properties; they override the defaults set by {@link MemberConfig}
 */
public record ClusterConfig(
    boolean enabled,
    String clusterName,
    int port,
    boolean portAutoIncrement,
    String bindInterface,
    List<String> members,
    Kubernetes kubernetes,
    Duration publishPeriod,
    Duration entryTtl,
    Duration callTimeout,
    Duration carryHalfLife,
    Duration carryMaxAge,
    Path stateFile,
    Duration savePeriod,
    Map<String, String> hazelcastProperties) {

  /** Kubernetes discovery: either a headless service DNS name, or a service name within a namespace. */
  public record Kubernetes(String serviceDns, String serviceName, String namespace) {
    static final Key<Kubernetes, String> SERVICE_DNS = Key.of("service_dns", Type.TEXT, Kubernetes::serviceDns)
        .flag("--k8s-service-dns", "NAME").doc("Kubernetes discovery through a headless Service's DNS name");
    static final Key<Kubernetes, String> SERVICE_NAME = Key.of("service_name", Type.TEXT, Kubernetes::serviceName)
        .flag("--k8s-service-name", "NAME").doc("Kubernetes discovery through the API: the Service...");
    static final Key<Kubernetes, String> NAMESPACE = Key.of("namespace", Type.TEXT, Kubernetes::namespace)
        .flag("--k8s-namespace", "NS").doc("...and its namespace");
    static final Section<Kubernetes> SECTION = Section.of("kubernetes",
            v -> new Kubernetes(v.get(SERVICE_DNS), v.get(SERVICE_NAME), v.get(NAMESPACE)),
            SERVICE_DNS, SERVICE_NAME, NAMESPACE)
        .rule(k -> k.serviceDns() != null || k.serviceName() != null, null, "needs service_dns or service_name");
  }

  static final Key<ClusterConfig, Boolean> ENABLED =
      Key.of("enabled", Type.BOOLEAN, ClusterConfig::enabled).byDefault(false)
      .flag("--cluster", null)
      .doc("join a Hazelcast cluster; off = single node (the same exchange on a local table). When not set, "
          + "it is on as soon as `members` or `kubernetes` is given");
  static final Key<ClusterConfig, String> NAME =
      Key.of("name", Type.TEXT, ClusterConfig::clusterName).byDefault("sluice")
      .notBlank().flag("--cluster-name", "NAME").doc("nodes with different names never merge");
  static final Key<ClusterConfig, Integer> PORT = Key.of("port", Type.INTEGER, ClusterConfig::port).byDefault(5701)
      .within(1, 65535).flag("--hz-port", "PORT")
      .doc("Hazelcast member port; when not set, the next ports are tried if it is taken (auto-increment)");
  static final Key<ClusterConfig, String> INTERFACE = Key.of("interface", Type.TEXT, ClusterConfig::bindInterface)
      .notBlank().flag("--hz-interface", "IP")
      .doc("address (IP, wildcards like `10.0.*.*` allowed) the member binds and advertises, and only there. When "
          + "not set: this node's own entry in `members` (127.0.0.1 for local members), the pod's IP with "
          + "`kubernetes` (`POD_IP`), else 127.0.0.1. Every interface only when written `*`");
  static final Key<ClusterConfig, List<String>> MEMBERS = Key.of("members", Type.TEXTS, ClusterConfig::members)
      .byDefault(List.of()).rule(m -> m.stream().noneMatch(String::isBlank), "must not name a blank member")
      .flag("--members", "H:P,H:P")
      .doc("TCP-IP seeds, `host` or `host:port`, a list or a comma-separated string; none: this node only "
          + "(multicast and auto-detection are off)");
  static final Sub<ClusterConfig, Kubernetes> KUBERNETES = Sub.of(Kubernetes.SECTION, ClusterConfig::kubernetes)
      .optional();
  static final Key<ClusterConfig, Duration> PUBLISH_PERIOD = Key.of("publish_period_ms", Type.MILLIS,
          ClusterConfig::publishPeriod).byDefault(Duration.ofMillis(500)).positive().flag("--publish-ms", "MS")
      .doc("how often a node publishes its state and merges the others'");
  /** Long enough to ride out a few missed rounds, short enough that a dead node's entry leaves soon. */
  static final Key<ClusterConfig, Duration> ENTRY_TTL = Key.of("entry_ttl_ms", Type.MILLIS, ClusterConfig::entryTtl)
      .byDefault(Duration.ofSeconds(10)).positive()
      .doc("lifetime of an entry that is not refreshed; at least two publish periods. When not set, raised to "
          + "four publish periods if that is longer");
  static final Key<ClusterConfig, Duration> CALL_TIMEOUT =
      Key.of("call_timeout_ms", Type.MILLIS, ClusterConfig::callTimeout)
      .byDefault(Duration.ofSeconds(1)).positive().doc("bound on every cluster call");
  /** A departed node's knowledge keeps half its weight after this long... */
  static final Key<ClusterConfig, Duration> CARRY_HALF_LIFE = Key.of("carry_half_life_s", Type.SECONDS,
          ClusterConfig::carryHalfLife).byDefault(Duration.ofMinutes(5)).positive()
      .doc("a departed node's knowledge keeps half its weight after this long");
  /** ...and is forgotten after six half-lives (under 2 % of its weight left). */
  static final Key<ClusterConfig, Duration> CARRY_MAX_AGE = Key.of("carry_max_age_s", Type.SECONDS,
          ClusterConfig::carryMaxAge).byDefault(Duration.ofMinutes(30)).positive()
      .doc("...and is dropped after this long");
  static final Key<ClusterConfig, Path> STATE_FILE = Key.of("state_file", Type.PATH, ClusterConfig::stateFile)
      .flag("--calibration-file", "PATH")
      .doc("JSON file the calibration is saved to (on stop and periodically) and restored from");
  static final Key<ClusterConfig, Duration> SAVE_PERIOD =
      Key.of("save_period_s", Type.SECONDS, ClusterConfig::savePeriod)
      .byDefault(Duration.ofSeconds(30)).positive().doc("how often the state file is rewritten");
  static final MapOf<ClusterConfig, String> HAZELCAST_PROPERTIES = MapOf.of("hazelcast_properties",
          Type.SCALAR_TEXT, ClusterConfig::hazelcastProperties)
      .doc("raw Hazelcast properties, `name: value`; they override Sluice's (docs/cluster.md)");

  /** The {@code cluster:} section. */
  public static final Section<ClusterConfig> SECTION = Section.of("cluster", ClusterConfig::of,
          ENABLED, NAME, PORT, INTERFACE, MEMBERS, KUBERNETES, PUBLISH_PERIOD, ENTRY_TTL, CALL_TIMEOUT,
          CARRY_HALF_LIFE, CARRY_MAX_AGE, STATE_FILE, SAVE_PERIOD, HAZELCAST_PROPERTIES)
      .rule(c -> c.entryTtl.compareTo(c.publishPeriod.multipliedBy(2)) >= 0, ENTRY_TTL,
          "must be at least two publish periods")
      .doc("`cluster:`", "Calibration sharing between nodes (docs/cluster.md).");

  private static final ClusterConfig DEFAULTS = SECTION.defaults();

  public ClusterConfig {
    members = List.copyOf(members == null ? List.of() : members);
    hazelcastProperties = Map.copyOf(hazelcastProperties == null ? Map.of() : hazelcastProperties);
  }

  private static ClusterConfig of(Values v) {
    List<String> members = v.get(MEMBERS);
    Kubernetes kubernetes = v.get(KUBERNETES);
    boolean enabled = v.isSet(ENABLED) ? v.get(ENABLED) : !members.isEmpty() || kubernetes != null;
    Duration publish = v.get(PUBLISH_PERIOD);
    // a slower period needs a longer-lived entry, or entries would expire between rewrites
    Duration ttl = v.isSet(ENTRY_TTL) ? v.get(ENTRY_TTL) : max(v.get(ENTRY_TTL), publish.multipliedBy(4));
    return new ClusterConfig(enabled, v.get(NAME), v.get(PORT), !v.isSet(PORT), v.get(INTERFACE), members,
        kubernetes, publish, ttl, v.get(CALL_TIMEOUT), v.get(CARRY_HALF_LIFE), v.get(CARRY_MAX_AGE),
        v.get(STATE_FILE), v.get(SAVE_PERIOD), v.get(HAZELCAST_PROPERTIES));
  }

  /** Single node, defaults everywhere. */
  public static ClusterConfig defaults() {
    return DEFAULTS;
  }

  /** Fails with the name of the first bad key. */
  public ClusterConfig validate() {
    return SECTION.check(this);
  }

  public ClusterConfig withEnabled(boolean on) {
    return with(b -> b.enabled = on);
  }

  public ClusterConfig withPublishPeriod(Duration d) {
    return with(b -> b.publishPeriod = d);
  }

  public ClusterConfig withEntryTtl(Duration d) {
    return with(b -> b.entryTtl = d);
  }

  public ClusterConfig withCallTimeout(Duration d) {
    return with(b -> b.callTimeout = d);
  }

  public ClusterConfig withCarry(Duration halfLife, Duration maxAge) {
    return with(b -> {
      b.carryHalfLife = halfLife;
      b.carryMaxAge = maxAge;
    });
  }

  public ClusterConfig withStateFile(Path file) {
    return with(b -> b.stateFile = file);
  }

  /** The interface as written ({@code *}: every one), or null to let {@link ClusterInterface} choose. */
  public ClusterConfig withInterface(String iface) {
    return with(b -> b.bindInterface = iface);
  }

  /** Kubernetes discovery instead of TCP-IP members, or null. */
  public ClusterConfig withKubernetes(Kubernetes discovery) {
    return with(b -> {
      b.enabled = true;
      b.kubernetes = discovery;
    });
  }

  public ClusterConfig withHazelcastProperties(Map<String, String> props) {
    return with(b -> b.hazelcastProperties = props);
  }

  /** Cluster on, TCP-IP on these members, this port (no auto-increment) and interface. */
  public ClusterConfig withMembership(String name, String iface, int memberPort, List<String> seeds) {
    return with(b -> {
      b.enabled = true;
      b.clusterName = name;
      b.bindInterface = iface;
      b.port = memberPort;
      b.portAutoIncrement = false;
      b.members = seeds;
    });
  }

  // ---- small private helpers ----

  /** Mutable mirror of the record, only used to derive a changed copy. */
  private static final class Builder {
    boolean enabled;
    String clusterName;
    int port;
    boolean portAutoIncrement;
    String bindInterface;
    List<String> members;
    Kubernetes kubernetes;
    Duration publishPeriod;
    Duration entryTtl;
    Duration callTimeout;
    Duration carryHalfLife;
    Duration carryMaxAge;
    Path stateFile;
    Duration savePeriod;
    Map<String, String> hazelcastProperties;
  }

  private interface Change {
    void apply(Builder b);
  }

  private ClusterConfig with(Change change) {
    Builder b = new Builder();
    b.enabled = enabled;
    b.clusterName = clusterName;
    b.port = port;
    b.portAutoIncrement = portAutoIncrement;
    b.bindInterface = bindInterface;
    b.members = members;
    b.kubernetes = kubernetes;
    b.publishPeriod = publishPeriod;
    b.entryTtl = entryTtl;
    b.callTimeout = callTimeout;
    b.carryHalfLife = carryHalfLife;
    b.carryMaxAge = carryMaxAge;
    b.stateFile = stateFile;
    b.savePeriod = savePeriod;
    b.hazelcastProperties = hazelcastProperties;
    change.apply(b);
    return new ClusterConfig(b.enabled, b.clusterName, b.port, b.portAutoIncrement, b.bindInterface, b.members,
        b.kubernetes, b.publishPeriod, b.entryTtl, b.callTimeout, b.carryHalfLife, b.carryMaxAge, b.stateFile,
        b.savePeriod, b.hazelcastProperties);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public String toString() {
    return "ClusterConfig[enabled=" + enabled + ", name=" + clusterName + ", port=" + port
        + ", interface=" + Objects.toString(bindInterface, "auto") + ", members=" + members
        + ", kubernetes=" + kubernetes + ", publish=" + publishPeriod.toMillis() + "ms, ttl=" + entryTtl.toMillis()
        + "ms, stateFile=" + stateFile + "]";
  }
}
