package dev.sluice.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a node joins the cluster and shares its calibration. Immutable; every default is a named constant
 * below, and {@link #validate()} runs once at start so a bad value fails with the name of its key.
 *
 * @param enabled             join a Hazelcast cluster; when false the same exchange runs on a local table
 * @param clusterName         Hazelcast cluster name; nodes with different names never merge
 * @param port                Hazelcast member port
 * @param portAutoIncrement   try the next ports when {@code port} is taken (off when a port is given explicitly)
 * @param bindInterface       interface (IP, wildcards allowed) to bind and advertise; null lets Hazelcast pick
 * @param members             TCP-IP seed members ({@code host} or {@code host:port}); the default join method
 * @param kubernetes          Kubernetes discovery instead of TCP-IP, or null
 * @param publishPeriod       how often a node publishes its state and merges the others'
 * @param entryTtl            lifetime of a published entry that is not refreshed
 * @param callTimeout         bound on every cluster call; past it the round counts as failed
 * @param carryHalfLife       half-life of the weight of a departed node's state that is carried forward
 * @param carryMaxAge         carried state older than this is dropped
 * @param stateFile           JSON file the calibration is saved to and restored from, or null
 * @param savePeriod          how often the state file is rewritten while running (also written on stop)
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

  public static final String DEFAULT_CLUSTER_NAME = "sluice";
  public static final int DEFAULT_PORT = 5701;
  public static final Duration DEFAULT_PUBLISH_PERIOD = Duration.ofMillis(500);
  /** Long enough to ride out a few missed rounds, short enough that a dead node's entry leaves soon. */
  public static final Duration DEFAULT_ENTRY_TTL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(1);
  /** A departed node's knowledge keeps half its weight after this long... */
  public static final Duration DEFAULT_CARRY_HALF_LIFE = Duration.ofMinutes(5);
  /** ...and is forgotten after six half-lives (under 2 % of its weight left). */
  public static final Duration DEFAULT_CARRY_MAX_AGE = Duration.ofMinutes(30);
  public static final Duration DEFAULT_SAVE_PERIOD = Duration.ofSeconds(30);

  /** Kubernetes discovery: either a headless service DNS name, or a service name within a namespace. */
  public record Kubernetes(String serviceDns, String serviceName, String namespace) {
  }

  /** A parsed command line: the cluster part and the arguments that were not cluster flags, in order. */
  public record Parsed(ClusterConfig config, String[] rest) {
  }

  public ClusterConfig {
    members = List.copyOf(members == null ? List.of() : members);
    hazelcastProperties = Map.copyOf(hazelcastProperties == null ? Map.of() : hazelcastProperties);
  }

  /** Single node, defaults everywhere. */
  public static ClusterConfig defaults() {
    return new ClusterConfig(false, DEFAULT_CLUSTER_NAME, DEFAULT_PORT, true, null, List.of(), null,
        DEFAULT_PUBLISH_PERIOD, DEFAULT_ENTRY_TTL, DEFAULT_CALL_TIMEOUT, DEFAULT_CARRY_HALF_LIFE,
        DEFAULT_CARRY_MAX_AGE, null, DEFAULT_SAVE_PERIOD, Map.of());
  }

  /** Help lines for the flags {@link #fromArgs} understands, for a CLI usage text. */
  public static final String FLAGS_HELP = String.join("\n",
      "  --cluster                   join a Hazelcast cluster (default: single node)",
      "  --cluster-name NAME         cluster name (default " + DEFAULT_CLUSTER_NAME + ")",
      "  --members H:P,H:P           TCP-IP seed members (default join method; multicast is off)",
      "  --hz-port PORT              Hazelcast member port (default " + DEFAULT_PORT + ", auto-increment)",
      "  --hz-interface IP           interface to bind and advertise",
      "  --k8s-service-dns NAME      Kubernetes discovery through a headless service DNS name",
      "  --k8s-service-name NAME     Kubernetes discovery through the API: service name...",
      "  --k8s-namespace NS          ...and its namespace",
      "  --publish-ms MS             calibration publish period (default " + DEFAULT_PUBLISH_PERIOD.toMillis() + ")",
      "  --calibration-file PATH     save calibration here on stop and periodically, restore on start");

  /**
   * Takes the cluster flags out of a command line, starting from {@code base} (defaults, or what a
   * config file said). Unknown arguments are returned untouched in {@link Parsed#rest()}.
   */
  public static Parsed fromArgs(String[] args, ClusterConfig base) {
    ClusterConfig c = base;
    List<String> rest = new ArrayList<>();
    String k8sDns = c.kubernetes == null ? null : c.kubernetes.serviceDns();
    String k8sName = c.kubernetes == null ? null : c.kubernetes.serviceName();
    String k8sNs = c.kubernetes == null ? null : c.kubernetes.namespace();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--cluster" -> c = c.withEnabled(true);
        case "--cluster-name" -> {
          String n = value(args, ++i, a);
          c = c.with(b -> b.clusterName = n);
        }
        case "--members" -> {
          List<String> m = splitList(value(args, ++i, a));
          c = c.with(b -> b.members = m).withEnabled(true);
        }
        case "--hz-port" -> {
          int p = parseInt(value(args, ++i, a), a);
          c = c.with(b -> {
            b.port = p;
            b.portAutoIncrement = false;
          });
        }
        case "--hz-interface" -> {
          String n = value(args, ++i, a);
          c = c.with(b -> b.bindInterface = n);
        }
        case "--k8s-service-dns" -> k8sDns = value(args, ++i, a);
        case "--k8s-service-name" -> k8sName = value(args, ++i, a);
        case "--k8s-namespace" -> k8sNs = value(args, ++i, a);
        case "--publish-ms" -> {
          Duration d = Duration.ofMillis(parseInt(value(args, ++i, a), a));
          // a slower period needs a longer-lived entry, or entries would expire between rewrites
          Duration ttl = c.entryTtl.compareTo(d.multipliedBy(4)) >= 0 ? c.entryTtl : d.multipliedBy(4);
          c = c.with(b -> {
            b.publishPeriod = d;
            b.entryTtl = ttl;
          });
        }
        case "--calibration-file" -> {
          Path p = Path.of(value(args, ++i, a));
          c = c.with(b -> b.stateFile = p);
        }
        default -> rest.add(a);
      }
    }
    if (k8sDns != null || k8sName != null || k8sNs != null) {
      Kubernetes k = new Kubernetes(k8sDns, k8sName, k8sNs);
      c = c.with(b -> b.kubernetes = k).withEnabled(true);
    }
    c.validate();
    return new Parsed(c, rest.toArray(String[]::new));
  }

  /** {@link #fromArgs(String[], ClusterConfig)} on top of {@link #defaults()}. */
  public static Parsed fromArgs(String[] args) {
    return fromArgs(args, defaults());
  }

  /** The keys of the {@code cluster:} section, snake_case like the rest of the dispatcher's YAML. */
  public static final java.util.Set<String> KEYS = java.util.Set.of("enabled", "name", "port", "interface", "members",
      "kubernetes", "publish_period_ms", "entry_ttl_ms", "call_timeout_ms", "carry_half_life_s", "carry_max_age_s",
      "state_file", "save_period_s", "hazelcast_properties");
  /** The keys of {@code cluster.kubernetes}. */
  public static final java.util.Set<String> KUBERNETES_KEYS = java.util.Set.of("service_dns", "service_name", "namespace");

  /**
   * Reads the {@code cluster:} section of a YAML/JSON config already parsed into a map (keys in {@link #KEYS}).
   * Unknown keys and values of the wrong type are refused with the key's path, e.g.
   * {@code cluster.publish_period_ms must be > 0}.
   */
  public static ClusterConfig fromMap(Map<String, ?> section) {
    ClusterConfig c = defaults();
    if (section == null) {
      return c;
    }
    for (Map.Entry<String, ?> e : section.entrySet()) {
      String key = "cluster." + e.getKey();
      Object v = e.getValue();
      switch (e.getKey()) {
        case "enabled" -> c = c.withEnabled(bool(v, key));
        case "name" -> c = c.with(b -> b.clusterName = String.valueOf(v));
        case "port" -> {
          int p = integer(v, key);
          c = c.with(b -> {
            b.port = p;
            b.portAutoIncrement = false;
          });
        }
        case "interface" -> c = c.with(b -> b.bindInterface = v == null ? null : String.valueOf(v));
        case "members" -> {
          List<String> m = v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : splitList(String.valueOf(v));
          c = c.with(b -> b.members = m);
        }
        case "kubernetes" -> {
          if (!(v instanceof Map<?, ?> k)) {
            throw new IllegalArgumentException(key + " must be a mapping");
          }
          for (Object sub : k.keySet()) {
            if (!KUBERNETES_KEYS.contains(String.valueOf(sub))) {
              throw new IllegalArgumentException(key + "." + sub + " is not a known key (known: "
                  + String.join(", ", KUBERNETES_KEYS.stream().sorted().toList()) + ")");
            }
          }
          Kubernetes kube = new Kubernetes(str(k.get("service_dns")), str(k.get("service_name")), str(k.get("namespace")));
          c = c.with(b -> b.kubernetes = kube);
        }
        case "publish_period_ms" -> c = c.with(b -> b.publishPeriod = Duration.ofMillis(integer(v, key)));
        case "entry_ttl_ms" -> c = c.with(b -> b.entryTtl = Duration.ofMillis(integer(v, key)));
        case "call_timeout_ms" -> c = c.with(b -> b.callTimeout = Duration.ofMillis(integer(v, key)));
        case "carry_half_life_s" -> c = c.with(b -> b.carryHalfLife = Duration.ofSeconds(integer(v, key)));
        case "carry_max_age_s" -> c = c.with(b -> b.carryMaxAge = Duration.ofSeconds(integer(v, key)));
        case "state_file" -> c = c.with(b -> b.stateFile = v == null ? null : Path.of(String.valueOf(v)));
        case "save_period_s" -> c = c.with(b -> b.savePeriod = Duration.ofSeconds(integer(v, key)));
        case "hazelcast_properties" -> {
          if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(key + " must be a mapping");
          }
          Map<String, String> props = new LinkedHashMap<>();
          m.forEach((pk, pv) -> props.put(String.valueOf(pk), String.valueOf(pv)));
          c = c.with(b -> b.hazelcastProperties = props);
        }
        default -> throw new IllegalArgumentException(key + " is not a known key (known: "
            + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    c.validate();
    return c;
  }

  /** Fails with the name of the first bad key. */
  public ClusterConfig validate() {
    require(clusterName != null && !clusterName.isBlank(), "cluster.name", "must not be empty");
    require(port > 0 && port < 65536, "cluster.port", "must be 1..65535, got " + port);
    require(positive(publishPeriod), "cluster.publish_period_ms", "must be > 0");
    require(positive(entryTtl) && entryTtl.compareTo(publishPeriod.multipliedBy(2)) >= 0, "cluster.entry_ttl_ms",
        "must be at least two publish periods");
    require(positive(callTimeout), "cluster.call_timeout_ms", "must be > 0");
    require(positive(carryHalfLife), "cluster.carry_half_life_s", "must be > 0");
    require(positive(carryMaxAge), "cluster.carry_max_age_s", "must be > 0");
    require(positive(savePeriod), "cluster.save_period_s", "must be > 0");
    if (kubernetes != null) {
      require(kubernetes.serviceDns() != null || kubernetes.serviceName() != null, "cluster.kubernetes",
          "needs service_dns or service_name");
    }
    for (String m : members) {
      require(!m.isBlank(), "cluster.members", "blank member");
    }
    return this;
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

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + ": missing value");
    }
    return args[i];
  }

  private static int parseInt(String s, String key) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + s + "'");
    }
  }

  private static int integer(Object v, String key) {
    if (v instanceof Integer i) {
      return i;
    }
    if (v instanceof String s) {
      return parseInt(s, key);
    }
    throw new IllegalArgumentException(key + " must be an integer, got " + v);
  }

  private static boolean bool(Object v, String key) {
    if (v instanceof Boolean b) {
      return b;
    }
    if ("true".equals(v) || "false".equals(v)) {
      return Boolean.parseBoolean((String) v);
    }
    throw new IllegalArgumentException(key + " must be true or false, got " + v);
  }

  private static List<String> splitList(String s) {
    return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(key + " " + problem);
    }
  }

  @Override
  public String toString() {
    return "ClusterConfig[enabled=" + enabled + ", name=" + clusterName + ", port=" + port
        + ", interface=" + Objects.toString(bindInterface, "*") + ", members=" + members
        + ", kubernetes=" + kubernetes + ", publish=" + publishPeriod.toMillis() + "ms, ttl=" + entryTtl.toMillis()
        + "ms, stateFile=" + stateFile + "]";
  }
}
