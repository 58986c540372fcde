package dev.sluice.dispatcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.dispatcher.DispatcherMain;
import dev.sluice.dispatcher.NodeConfig;
import dev.sluice.dispatcher.config.PoolConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes manifests, Prometheus annotations and Grafana dashboard agree with the dispatcher they
 * deploy: the ConfigMap loads with the real loader, ports (public, management, Hazelcast), probe paths, the
 * cluster's discovery name, the metrics path and pool contexts match, every pool is found through a headless
 * Service, the NetworkPolicy admits what it should, and every sluice_* metric the dashboard charts exists.
 */
class ManifestConsistencyTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern SLUICE_METRIC = Pattern.compile("sluice_[a-z0-9_]+");

  private static Path repo;
  private static List<JsonNode> docs;
  private static NodeConfig loaded;
  private static DispatcherMain.Node node;
  private static String scrape;

  @TempDir
  static Path dir;

  @BeforeAll
  static void load() throws Exception {
    repo = Path.of("").toAbsolutePath();
    if (!Files.isDirectory(repo.resolve("deploy"))) {
      repo = repo.getParent();
    }
    docs = new ArrayList<>();
    JsonNode kustomization = YAML.readTree(repo.resolve("deploy/k8s/kustomization.yaml").toFile());
    for (JsonNode r : kustomization.get("resources")) {
      try (var parser = YAML.getFactory().createParser(repo.resolve("deploy/k8s").resolve(r.asText()).toFile())) {
        Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
        it.forEachRemaining(d -> {
          if (d != null && !d.isNull() && !d.isMissingNode()) {
            docs.add(d);
          }
        });
      }
    }
    Path conf = dir.resolve("dispatcher.yaml");
    Files.writeString(conf, configMap().get("data").get(configFileName()).asText());
    loaded = NodeConfig.load(new String[] {"--config", conf.toString()}, Map.of());
    // a real node (single, no upstream reachable) for probe paths and a /metrics scrape
    node = DispatcherMain.start(new String[] {"--host", "127.0.0.1", "--port", "0", "--management-port", "0",
        "--pool", "short=8192@http://127.0.0.1:9"}, Map.of("SLUICE_ACCESS_LOG_ENABLED", "false")).await();
    get(node.dispatcher().port(), "/v1/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    scrape = get(node.dispatcher().managementPort(), "/metrics", null).body();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static HttpResponse<String> get(int port, String path, String post) throws IOException,
      InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (post != null) {
      b.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(post));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode kind(String kind, String name) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/k8s"));
  }

  private static Stream<JsonNode> all(String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText()));
  }

  private static JsonNode dispatcherDeployment() {
    return kind("Deployment", "sluice-dispatcher");
  }

  private static JsonNode container() {
    return dispatcherDeployment().at("/spec/template/spec/containers/0");
  }

  private static JsonNode configMap() {
    String name = dispatcherDeployment().at("/spec/template/spec/volumes").findValues("configMap").get(0).get("name").asText();
    return kind("ConfigMap", name);
  }

  /** The file the container is told to read, relative to the ConfigMap's mount. */
  private static String configFileName() {
    List<String> args = new ArrayList<>();
    container().get("args").forEach(a -> args.add(a.asText()));
    String file = args.get(args.indexOf("--config") + 1);
    for (JsonNode m : container().get("volumeMounts")) {
      String mount = m.get("mountPath").asText();
      if (file.startsWith(mount + "/")) {
        return file.substring(mount.length() + 1);
      }
    }
    throw new AssertionError("--config " + file + " is not under any volume mount");
  }

  private static int containerPort(String name) {
    for (JsonNode p : container().get("ports")) {
      if (p.get("name").asText().equals(name)) {
        return p.get("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + name);
  }

  @Test
  void argsAreOnesTheCliAccepts() {
    assertThat(container().get("args").get(0).asText()).isEqualTo("dispatcher");
    assertThat(container().get("args").toString()).doesNotContain("=");
  }

  @Test
  void containerPortsAreTheConfiguredOnes() {
    assertThat(List.of(containerPort("http"), containerPort("management"), containerPort("hazelcast")))
        .containsExactly(loaded.dispatcher().port(), loaded.management().port(), loaded.cluster().port());
    // the management listener must be reachable from the kubelet and Prometheus, not only from the pod
    assertThat(loaded.management().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void probesAskTheManagementPortAndAnswerOnARealNode() throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      JsonNode get = container().get(probe).get("httpGet");
      assertThat(containerPort(get.get("port").asText())).isEqualTo(loaded.management().port());
      statuses.add(get(node.dispatcher().managementPort(), get.get("path").asText(), null).statusCode());
    }
    assertThat(statuses).containsOnly(200);
  }

  @Test
  void theHazelcastMemberBindsThePodsAddress() {
    JsonNode podIp = null;
    for (JsonNode e : container().get("env")) {
      if (e.get("name").asText().equals("POD_IP")) {
        podIp = e;
      }
    }
    assertThat(podIp).as("POD_IP in the dispatcher's environment").isNotNull();
    assertThat(podIp.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("status.podIP");
    assertThat(loaded.cluster().bindInterface()).as("cluster.interface left to the pod's IP").isNull();
  }

  @Test
  void headlessServiceIsTheClusterDiscoveryName() {
    String dns = loaded.cluster().kubernetes().serviceDns();
    String[] labels = dns.split("\\.");
    JsonNode svc = kind("Service", labels[0]);
    String namespace = YAMLNamespace();
    assertThat(List.of(svc.at("/spec/clusterIP").asText(), labels[1], svc.at("/spec/ports/0/port").asText()))
        .containsExactly("None", namespace, Integer.toString(loaded.cluster().port()));
    assertThat(svc.at("/spec/selector")).isEqualTo(dispatcherDeployment().at("/spec/template/metadata/labels"));
  }

  private static String YAMLNamespace() {
    try {
      return YAML.readTree(repo.resolve("deploy/k8s/kustomization.yaml").toFile()).get("namespace").asText();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void prometheusAnnotationsPointAtTheMetricsEndpointOfTheManagementPort() throws Exception {
    JsonNode a = dispatcherDeployment().at("/spec/template/metadata/annotations");
    assertThat(a.get("prometheus.io/port").asInt()).isEqualTo(loaded.management().port());
    String path = a.get("prometheus.io/path").asText();
    assertThat(get(node.dispatcher().managementPort(), path, null).body()).contains("sluice_requests");
    // and the public port does not serve it
    assertThat(get(node.dispatcher().port(), path, null).statusCode()).isEqualTo(404);
  }

  @Test
  void everyPoolIsFoundThroughAHeadlessService() {
    for (PoolConfig pool : loaded.dispatcher().pools()) {
      for (URI endpoint : pool.endpoints()) {
        assertThat(endpoint.getScheme()).as(pool.name() + " endpoint").isEqualTo("dns+http");
        JsonNode svc = kind("Service", endpoint.getHost());
        assertThat(svc.at("/spec/clusterIP").asText()).as("Service " + endpoint.getHost()).isEqualTo("None");
        assertThat(svc.at("/spec/publishNotReadyAddresses").asBoolean(false))
            .as("a vLLM pod still loading its model must not be in DNS").isFalse();
      }
    }
  }

  @Test
  void theNetworkPolicyAdmitsHazelcastFromDispatchersAndManagementFromMonitoringOnly() {
    JsonNode policy = kind("NetworkPolicy", "sluice-dispatcher");
    assertThat(policy.at("/spec/podSelector/matchLabels")).isEqualTo(dispatcherDeployment().at("/spec/selector/matchLabels"));
    Map<String, JsonNode> fromByPort = new HashMap<>();
    for (JsonNode rule : policy.at("/spec/ingress")) {
      for (JsonNode port : rule.get("ports")) {
        fromByPort.put(port.get("port").asText(), rule.get("from"));
      }
    }
    assertThat(fromByPort.keySet()).containsExactlyInAnyOrder("http", "hazelcast", "management");
    // every named port exists on the container
    fromByPort.keySet().forEach(ManifestConsistencyTest::containerPort);
    assertThat(fromByPort.get("http")).as("the API is open to clients").isNull();
    JsonNode hazelcast = fromByPort.get("hazelcast");
    assertThat(hazelcast).hasSize(1);
    assertThat(hazelcast.get(0).at("/podSelector/matchLabels"))
        .isEqualTo(dispatcherDeployment().at("/spec/template/metadata/labels"));
    assertThat(hazelcast.get(0).has("namespaceSelector")).isFalse();
    JsonNode management = fromByPort.get("management");
    assertThat(management).hasSize(1);
    assertThat(management.get(0).at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText())
        .isEqualTo("monitoring");
    assertThat(management.get(0).has("podSelector")).isFalse();
    // the vLLM pods take requests from the dispatchers (and scrapes from monitoring), nothing goes around them
    JsonNode vllm = kind("NetworkPolicy", "vllm");
    assertThat(vllm.at("/spec/ingress/0/from/0/podSelector/matchLabels"))
        .isEqualTo(dispatcherDeployment().at("/spec/template/metadata/labels"));
    assertThat(vllm.at("/spec/podSelector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("vllm");
  }

  @Test
  void eachPoolContextIsItsVllmMaxModelLen() {
    Map<String, Integer> contexts = new HashMap<>();
    Map<String, Integer> maxModelLens = new HashMap<>();
    for (PoolConfig pool : loaded.dispatcher().pools()) {
      contexts.put(pool.name(), pool.context());
      for (URI endpoint : pool.endpoints()) {
        JsonNode svc = kind("Service", endpoint.getHost());
        assertThat(svc.at("/spec/ports/0/port").asInt()).as(pool.name() + " endpoint port").isEqualTo(endpoint.getPort());
        JsonNode deployment = all("Deployment")
            .filter(d -> matches(svc.at("/spec/selector"), d.at("/spec/template/metadata/labels")))
            .findFirst().orElseThrow(() -> new AssertionError("no Deployment behind Service " + endpoint.getHost()));
        maxModelLens.put(pool.name(), maxModelLen(deployment));
      }
    }
    assertThat(maxModelLens).isEqualTo(contexts);
  }

  private static boolean matches(JsonNode selector, JsonNode labels) {
    for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static int maxModelLen(JsonNode deployment) {
    for (JsonNode arg : deployment.at("/spec/template/spec/containers/0/args")) {
      if (arg.asText().startsWith("--max-model-len=")) {
        return Integer.parseInt(arg.asText().substring("--max-model-len=".length()));
      }
    }
    throw new AssertionError("no --max-model-len in " + deployment.at("/metadata/name"));
  }

  @Test
  void podDisruptionBudgetCoversTheDispatchers() {
    JsonNode pdb = all("PodDisruptionBudget").findFirst().orElseThrow();
    assertThat(pdb.at("/spec/selector/matchLabels")).isEqualTo(dispatcherDeployment().at("/spec/selector/matchLabels"));
  }

  @Test
  void terminationGraceOutlastsTheDrain() {
    long grace = dispatcherDeployment().at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
    assertThat(grace * 1000).isGreaterThan(loaded.reliability().drainGrace().toMillis());
  }

  @Test
  void dashboardChartsOnlyMetricsThatExist() throws IOException {
    Set<String> known = new HashSet<>(metricNames(scrape));
    known.addAll(meterNamesInCode());
    String dashboard = Files.readString(repo.resolve("deploy/grafana/sluice-dashboard.json"));
    Set<String> missing = new HashSet<>();
    for (String m : metricNames(dashboard)) {
      if (!known.contains(m) && !known.contains(base(m))) {
        missing.add(m);
      }
    }
    assertThat(missing).isEmpty();
  }

  private static Set<String> metricNames(String text) {
    Set<String> names = new HashSet<>();
    Matcher m = SLUICE_METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  /** A series name without the suffixes Prometheus adds to counters and histograms. */
  private static String base(String series) {
    for (String suffix : List.of("_bucket", "_count", "_sum", "_max", "_total")) {
      if (series.endsWith(suffix)) {
        return series.substring(0, series.length() - suffix.length());
      }
    }
    return series;
  }

  /** Meter names registered in the main sources ("sluice.x.y" or "sluice_x_y"), in Prometheus spelling. */
  private static Set<String> meterNamesInCode() throws IOException {
    Set<String> names = new HashSet<>();
    Pattern literal = Pattern.compile("\"(sluice[._][a-z0-9._]+)\"");
    for (String module : List.of("dispatcher", "cluster")) {
      try (Stream<Path> files = Files.walk(repo.resolve(module).resolve("src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          Matcher m = literal.matcher(Files.readString(f));
          while (m.find()) {
            String n = m.group(1).replace('.', '_');
            names.add(n);
            names.add(n.endsWith("_seconds") ? n : n + "_seconds");
          }
        }
      }
    }
    return names;
  }
}
