package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real network partition. Three members run as separate processes, each in its own Linux network
 * namespace, joined by veth pairs to a bridge in a fourth (hub) namespace on the private subnet
 * 10.201.7.0/24, which exists only inside these namespaces. The test takes C's link down, checks that
 * both sides keep serving and learning on their own, brings the link back up and checks that the
 * calibration converges after Hazelcast merges the two clusters. Needs root and iproute2; skipped
 * otherwise.
 */
class NetnsPartitionTest {

  private static final String TAG = Long.toHexString(System.nanoTime() & 0xffffL);
  private static final String HUB = "slh" + TAG;
  private static final String[] NAMES = {"a", "b", "c"};
  private static final String CLUSTER = "sluice-netns-" + TAG;
  private static final Duration SLOW = Duration.ofSeconds(120);
  private static final List<String> namespaces = new ArrayList<>();
  private static final List<Proc> procs = new ArrayList<>();

  /** One member process and the last status line it printed. */
  private record Proc(String name, Process process, PrintWriter stdin, AtomicReference<JsonObject> last) {
    JsonObject status() {
      JsonObject s = last.get();
      return s == null ? new JsonObject() : s;
    }

    int members() {
      return status().getJsonObject("status", new JsonObject()).getJsonArray("members", new JsonArray()).size();
    }

    boolean reachable() {
      return status().getJsonObject("status", new JsonObject()).getBoolean("reachable", false);
    }

    boolean hasAdopted(String model) {
      JsonArray rows = status().getJsonArray("adopted", new JsonArray());
      for (int i = 0; i < rows.size(); i++) {
        if (rows.getJsonArray(i).getString(0).equals(model)) {
          return true;
        }
      }
      return false;
    }

    long served() {
      return status().getLong("served", 0L);
    }

    long errors() {
      return status().getLong("errors", 0L);
    }

    void learn(String model) {
      stdin.println("learn " + model + " prose 100 50.0 3.5");
      stdin.flush();
    }
  }

  private static String ns(String name) {
    return "sl" + name + TAG;
  }

  private static String memberIp(int i) {
    return "10.201.7." + (i + 1);
  }

  @BeforeAll
  static void buildNetworkAndStartMembers() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root for ip netns");
    Assumptions.assumeTrue(run("ip", "netns", "add", HUB), "ip netns add failed");
    namespaces.add(HUB);
    sh(HUB, "ip link set lo up");
    sh(HUB, "ip link add br0 type bridge");
    sh(HUB, "ip link set br0 up");
    for (int i = 0; i < NAMES.length; i++) {
      String n = NAMES[i];
      String ns = ns(n);
      must("ip", "netns", "add", ns);
      namespaces.add(ns);
      String inside = "e" + n + TAG;
      String hubSide = "h" + n + TAG;
      must("ip", "link", "add", inside, "type", "veth", "peer", "name", hubSide);
      must("ip", "link", "set", inside, "netns", ns);
      must("ip", "link", "set", hubSide, "netns", HUB);
      sh(HUB, "ip link set " + hubSide + " master br0");
      sh(HUB, "ip link set " + hubSide + " up");
      sh(ns, "ip link set lo up");
      sh(ns, "ip addr add " + memberIp(i) + "/24 dev " + inside);
      sh(ns, "ip link set " + inside + " up");
    }
    String seeds = String.join(",", memberIp(0) + ":5701", memberIp(1) + ":5701", memberIp(2) + ":5701");
    for (int i = 0; i < NAMES.length; i++) {
      procs.add(startMember(NAMES[i], ns(NAMES[i]), memberIp(i), seeds));
    }
    Eventually.eventually(() -> procs.stream().allMatch(p -> p.members() == 3), "one cluster of three", SLOW);
  }

  @AfterAll
  static void tearDown() throws Exception {
    for (Proc p : procs) {
      p.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (String ns : namespaces) {
      run("ip", "netns", "del", ns);
    }
  }

  @Test
  void bothSidesServeThroughAPartitionAndConvergeAfterTheHeal() {
    Proc a = procs.get(0);
    Proc b = procs.get(1);
    Proc c = procs.get(2);
    a.learn("before-a");
    c.learn("before-c");
    Eventually.eventually(() -> b.hasAdopted("before-a") && b.hasAdopted("before-c") && a.hasAdopted("before-c") && c.hasAdopted("before-a"),
        "shared before the split", SLOW);

    setLink(c, "down");
    Eventually.eventually(() -> a.members() == 2 && b.members() == 2 && c.members() == 1,
        "two sides: {A,B} and {C}", SLOW);
    long servedA = a.served();
    long servedC = c.served();
    a.learn("during-a");
    c.learn("during-c");
    Eventually.eventually(() -> b.hasAdopted("during-a") && a.reachable()
        && c.reachable(), "each side learns on its own", SLOW);
    boolean isolated = !c.hasAdopted("during-a") && !a.hasAdopted("during-c");
    boolean keptOld = a.hasAdopted("before-c") && c.hasAdopted("before-a");
    boolean servedDuring = a.served() > servedA && c.served() > servedC;

    setLink(c, "up");
    Eventually.eventually(() -> procs.stream().allMatch(p -> p.members() == 3), "merged back into three", SLOW);
    Eventually.eventually(() -> a.hasAdopted("during-c") && b.hasAdopted("during-c")
        && c.hasAdopted("during-a"), "converged after the merge", SLOW);

    assertThat(List.of(isolated, keptOld, servedDuring, procs.stream().allMatch(p -> p.errors() == 0)))
        .as("isolated during split, kept old knowledge, served during split, no request-path errors")
        .containsExactly(true, true, true, true);
  }

  private static void setLink(Proc p, String state) {
    sh(ns(p.name()), "ip link set e" + p.name() + TAG + " " + state);
  }

  private static Proc startMember(String name, String ns, String ip, String seeds) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path log = Path.of("target", "netns-" + name + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, java, "-Xmx192m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", cp, PartitionMember.class.getName(), CLUSTER, ip, "5701", seeds)
        .redirectError(log.toFile());
    Process process = pb.start();
    AtomicReference<JsonObject> last = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("STATUS ")) {
            last.set(new JsonObject(line.substring(7)));
          }
        }
      } catch (IOException | RuntimeException ignored) {
        // the process ended
      }
    }, "netns-" + name);
    reader.setDaemon(true);
    reader.start();
    return new Proc(name, process, new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8), last);
  }

  private static void sh(String ns, String cmd) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    argv.addAll(List.of(cmd.split(" ")));
    must(argv.toArray(String[]::new));
  }

  private static void must(String... argv) {
    if (!run(argv)) {
      throw new IllegalStateException("failed: " + String.join(" ", argv));
    }
  }

  private static boolean run(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(
          ProcessBuilder.Redirect.appendTo(new File("target/netns-setup.log"))).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
