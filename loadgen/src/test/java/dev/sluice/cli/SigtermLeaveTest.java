package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered {@code ./sluice dispatcher} processes; one gets SIGTERM. It exits, and the other logs the
 * departure at INFO: nothing about the member that left reads like a failure.
 */
class SigtermLeaveTest {
  private static final long START_SECONDS = 90;
  private static final long LEAVE_SECONDS = 60;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void aNodeStoppedBySigtermLeavesTheClusterQuietly(@TempDir Path dir) throws Exception {
    int hz1 = freePort();
    int hz2 = freePort();
    String members = "127.0.0.1:" + hz1 + ",127.0.0.1:" + hz2;
    String cluster = "sluice-sigterm-" + UUID.randomUUID().toString().substring(0, 8);
    Process leaving = node(dir, "a", hz1, members, cluster);
    Process staying = node(dir, "b", hz2, members, cluster);
    awaitLine(dir.resolve("a.out"), "listening", leaving);
    awaitLine(dir.resolve("b.out"), "listening", staying);
    awaitLine(dir.resolve("b.err"), "Members {size:2", staying);

    leaving.destroy(); // SIGTERM
    assertThat(leaving.waitFor(LEAVE_SECONDS, TimeUnit.SECONDS)).as("the node exits on SIGTERM").isTrue();
    awaitLine(dir.resolve("b.err"), "Members {size:1", staying);
    String address = "[127.0.0.1]:" + hz1;
    List<String> about = Files.readAllLines(dir.resolve("b.err")).stream().filter(l -> l.contains(address)).toList();
    assertThat(about).noneMatch(l -> l.startsWith("WARNING") || l.startsWith("SEVERE"));
    assertThat(Files.readString(dir.resolve("a.err"))).doesNotContain("SEVERE", "Exception");
  }

  private Process node(Path dir, String name, int hzPort, String members, String cluster) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(List.of("--add-modules", "java.se", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Sluice.class.getName(), "dispatcher",
        "--host", "127.0.0.1", "--port", "0", "--management-port", "0", "--pool", "short=8192@http://127.0.0.1:9",
        "--cluster",
        "--cluster-name", cluster, "--members", members, "--hz-port", Integer.toString(hzPort),
        "--hz-interface", "127.0.0.1"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile());
    pb.environment().put("SLUICE_ACCESS_LOG_ENABLED", "false");
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private static void awaitLine(Path file, String text, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readString(file).contains(text)) {
        return;
      }
      assertThat(process.isAlive() || Files.readString(file).contains(text)).as("%s exited early", file).isTrue();
      Thread.sleep(200);
    }
    throw new AssertionError("no '" + text + "' in " + file + ":\n" + Files.readString(file));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
