package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.protocol.NodeLimits;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The node's memory bounds with real sockets: the connection cap (503 {@code overloaded} to a connection beyond
 * it, then closed) and the budget of buffered body bytes (503 before a body is read, or as soon as a chunked one
 * would pass it), both gauges in {@code /metrics}, and the bytes given back once whatever way a request ends.
 */
class LimitsHttpTest extends TwoPoolHttpFixture {
  private static final int KIB = 1024;

  private void startWith(NodeLimits limits) {
    startNode(NodeConfig.embedded(twoPools(), ReliabilityConfig.DEFAULTS).withLimits(limits));
  }

  /** A connection to the public listener; the test writes and reads its bytes. */
  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", dispatcher.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static void write(Socket s, byte[] bytes) throws IOException {
    s.getOutputStream().write(bytes);
    s.getOutputStream().flush();
  }

  /** Reads until the server closes the connection (or 10 s of silence); the text, and whether it closed. */
  private static String readToClose(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      return got.toString(StandardCharsets.ISO_8859_1) + (e instanceof SocketTimeoutException ? "<open>" : "");
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  /** A chat body of about {@code size} bytes: one prompt string of that length. */
  private static byte[] body(int size) {
    return chatBody("a".repeat(size), false).getBytes(StandardCharsets.US_ASCII);
  }

  private static String post(int length) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + length + "\r\n\r\n";
  }

  private static int status(String response) {
    return response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : -1;
  }

  @Test
  void aConnectionBeyondTheCapIsAnswered503AndClosed() throws Exception {
    startWith(NodeLimits.DEFAULTS.withMaxConnections(4));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        held.add(connect());
      }
      eventually(() -> dispatcher.connections().open() == 4, "four connections held");
      assertThat(admin.get("/metrics").text()).contains("sluice_client_connections 4.0",
          "sluice_client_connections_limit 4.0");
      String refused;
      try (Socket fifth = connect()) {
        write(fifth, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
        refused = readToClose(fifth);
      }
      assertThat(status(refused)).isEqualTo(503);
      assertThat(refused).contains("\"code\":\"overloaded\"").containsIgnoringCase("retry-after: 1")
          .doesNotEndWith("<open>");
      // on Anthropic's path, in Anthropic's shape
      String anthropic;
      try (Socket sixth = connect()) {
        write(sixth, "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        anthropic = readToClose(sixth);
      }
      assertThat(status(anthropic)).isEqualTo(503);
      assertThat(anthropic).contains("\"type\":\"error\"", "\"type\":\"overloaded_error\"");
      // one that says nothing is closed after the grace
      try (Socket silent = connect()) {
        assertThat(readToClose(silent)).isEmpty();
      }
      // below the cap again, a new connection is served
      held.remove(0).close();
      eventually(() -> dispatcher.connections().open() == 3, "the closed connection is counted out");
      try (Socket again = connect()) {
        write(again, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(status(readToClose(again))).isEqualTo(200);
      }
      String metrics = admin.get("/metrics").text();
      assertThat(metrics).contains("sluice_client_connections_refused_total 3.0",
          "sluice_failures_total{category=\"throttled\",code=\"overloaded\"} 2.0");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aDeclaredBodyThatWouldPassTheBudgetIsRefusedBeforeItIsRead() throws Exception {
    startWith(NodeLimits.DEFAULTS.withMaxBufferedBodyBytes(1024 * KIB));
    try (Socket big = connect()) {
      write(big, post(2048 * KIB)); // headers only: the answer must come before any body byte
      String answer = readToClose(big);
      assertThat(status(answer)).isEqualTo(503);
      assertThat(answer).contains("\"code\":\"overloaded\"").containsIgnoringCase("retry-after: 1")
          .doesNotEndWith("<open>");
    }
    // one request of 200 KiB, half sent, holds what reading it costs (3 bytes a byte: 600 KiB); a second of
    // 200 KiB does not fit beside it, a small one does
    byte[] first = body(200 * KIB);
    try (Socket holding = connect()) {
      write(holding, post(first.length));
      write(holding, Arrays.copyOf(first, first.length / 2));
      eventually(() -> dispatcher.bodies().held() == 3L * first.length, "three bytes a body byte while it is read");
      assertThat(admin.get("/metrics").text()).contains("sluice_buffered_body_bytes " + 3.0 * first.length,
          "sluice_buffered_body_limit_bytes 1048576.0");
      String refused;
      try (Socket second = connect()) {
        write(second, post(first.length));
        refused = readToClose(second);
      }
      assertThat(List.of(status(refused), refused.endsWith("<open>"))).containsExactly(503, false);
      assertThat(http.post("/v1/chat/completions", chatBody("small", false)).status()).isEqualTo(200);
      write(holding, Arrays.copyOfRange(first, first.length / 2, first.length));
      byte[] reply = new byte[12];
      assertThat(holding.getInputStream().readNBytes(reply, 0, 12)).isEqualTo(12);
      assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
    }
    eventually(() -> dispatcher.bodies().held() == 0, "every byte given back");
    assertThat(shortUp.received.size() + longUp.received.size()).isEqualTo(2);
  }

  @Test
  void aChunkedBodyIsRefusedAsSoonAsItWouldPassTheBudget() throws Exception {
    startWith(NodeLimits.DEFAULTS.withMaxBufferedBodyBytes(256 * KIB));
    try (Socket chunked = connect()) {
      write(chunked, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      String head = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"";
      write(chunked, Integer.toHexString(head.length()) + "\r\n" + head + "\r\n");
      byte[] filler = new byte[64 * KIB];
      Arrays.fill(filler, (byte) 'a');
      String answer = null;
      for (int i = 0; i < 8 && answer == null; i++) {
        try {
          write(chunked, Integer.toHexString(filler.length) + "\r\n");
          write(chunked, filler);
          write(chunked, "\r\n");
        } catch (IOException closed) {
          answer = readToClose(chunked);
        }
        if (answer == null && chunked.getInputStream().available() > 0) {
          answer = readToClose(chunked);
        }
      }
      if (answer == null) {
        answer = readToClose(chunked);
      }
      assertThat(status(answer)).isEqualTo(503);
      assertThat(answer).contains("\"code\":\"overloaded\"").doesNotEndWith("<open>");
    }
    eventually(() -> dispatcher.bodies().held() == 0, "the chunks held are given back");
    assertThat(shortUp.received.size() + longUp.received.size()).isZero();
  }

  @Test
  void concurrentBodiesNeverHoldMoreThanTheBudgetAndEveryByteComesBack() throws Exception {
    int budget = 2048 * KIB;
    startWith(NodeLimits.DEFAULTS.withMaxBufferedBodyBytes(budget));
    shortUp.behavior = (self, req, b) -> self.vertx.setTimer(50, id -> FakeUpstream.openAi(self, req, b));
    longUp.behavior = shortUp.behavior;
    AtomicLong peak = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        peak.accumulateAndGet(dispatcher.bodies().held(), Math::max);
        Thread.onSpinWait();
      }
    });
    sampler.start();
    byte[] payload = body(256 * KIB);
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Thread t = new Thread(() -> {
        try (Socket s = connect()) {
          write(s, post(payload.length).replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n"));
          write(s, payload);
          statuses.add(status(readToClose(s)));
        } catch (IOException e) {
          statuses.add(-1);
        }
      });
      clients.add(t);
      t.start();
    }
    clients.forEach(TwoPoolHttpFixture::join);
    sampling.set(false);
    sampler.join();
    assertThat(statuses).hasSize(40).containsOnly(200, 503).contains(200);
    assertThat(peak.get()).isPositive().isLessThanOrEqualTo(budget);
    eventually(() -> dispatcher.bodies().held() == 0, "every byte given back");
    // a client that leaves mid-body gives its bytes back too
    try (Socket leaving = connect()) {
      write(leaving, post(payload.length));
      write(leaving, Arrays.copyOf(payload, 1000));
      eventually(() -> dispatcher.bodies().held() == 3L * payload.length, "held while it sends");
    }
    eventually(() -> dispatcher.bodies().held() == 0, "given back when it left");
  }
}
