package dev.sluice.dispatcher.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Catalogue #28 with a real signal: SIGTERM to a separate JVM lets its open stream finish. */
class SigtermDrainTest {

  private static Process launch(int events, long graceMillis) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        DrainedServerMain.class.getName(), Integer.toString(events), Long.toString(graceMillis))
        .redirectErrorStream(true)
        .start();
  }

  private static int port(Process process) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("port ")) {
        return Integer.parseInt(line.substring(5).trim());
      }
    }
    throw new IllegalStateException("server printed no port");
  }

  private static String streamAcrossSigterm(Process process, int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(in.read());
      process.destroy();
      in.transferTo(body);
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void sigtermLetsTheOpenStreamFinish() throws Exception {
    Process process = launch(15, 10_000);
    try {
      String body = streamAcrossSigterm(process, port(process));
      assertThat(body).contains("data: [DONE]");
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void sigtermCutsAStreamThatOutlivesTheGracePeriod() throws Exception {
    Process process = launch(10_000, 500);
    try {
      String body = streamAcrossSigterm(process, port(process));
      assertThat(body).doesNotContain("[DONE]");
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }
  }
}
