package dev.sluice.dispatcher;

import static dev.sluice.testkit.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigException;
import dev.sluice.dispatcher.config.PoolConfig;
import dev.sluice.dispatcher.pool.DiscoveryConfig;
import dev.sluice.dispatcher.reliability.ReliabilityConfig;
import dev.sluice.dispatcher.security.TlsConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with self-signed certificates made by the test: the public listener over HTTPS (HTTP/1.1 and h2 by ALPN),
 * a certificate rotated on disk and picked up without a restart, garbage in its place refused while the old one
 * keeps serving, a missing file stopping the node at start, and {@code dns+https://} upstreams checked against
 * a pool's CA file with their name in SNI.
 */
class TlsHttpTest extends TwoPoolHttpFixture {
  @TempDir
  Path dir;

  private SelfSigned first;
  /** A copy of the first certificate, which the clients trust (the listener's files change in some tests). */
  private Path trusted;

  @BeforeEach
  void certificates() throws Exception {
    first = SelfSigned.make(dir, "listener", "sluice-first");
    trusted = Files.copy(first.cert(), dir.resolve("trusted.crt"));
  }

  private NodeConfig tlsNode(Duration check) {
    return NodeConfig.embedded(twoPools(), ReliabilityConfig.DEFAULTS)
        .withTls(TlsConfig.of(first.cert(), first.key()).withCheckPeriod(check));
  }

  private HttpClient httpsClient(boolean h2) {
    HttpClientOptions options = new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(trusted.toString()));
    if (h2) {
      options.setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2);
    }
    return vertx.createHttpClient(options);
  }

  private static final class Answer {
    int status;
    HttpVersion version;
    String body;
  }

  private Answer post(HttpClient https) throws Exception {
    Answer a = new Answer();
    https.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(dispatcher.port())
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(req -> req.send(Buffer.buffer(chatBody("hi", false))))
        .compose(resp -> {
          a.status = resp.statusCode();
          a.version = resp.version();
          return resp.body();
        })
        .map(b -> a.body = b.toString())
        .await(20, TimeUnit.SECONDS);
    return a;
  }

  /** The subject of the certificate a fresh TLS handshake with the listener gets. */
  private String servedSubject() throws Exception {
    X509Certificate[] seen = new X509Certificate[1];
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        seen[0] = chain[0];
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", dispatcher.port())) {
      socket.setSoTimeout(5000);
      socket.startHandshake();
    }
    return seen[0].getSubjectX500Principal().getName();
  }

  private double metric(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E+-]+)").matcher(admin.get("/metrics").text());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void thePublicListenerSpeaksHttpsOverHttp11AndH2() throws Exception {
    startNode(tlsNode(Duration.ofSeconds(10)));
    HttpClient h1 = httpsClient(false);
    HttpClient h2 = httpsClient(true);
    try {
      Answer one = post(h1);
      Answer two = post(h2);
      assertThat(List.of(one.status, one.version, two.status, two.version))
          .containsExactly(200, HttpVersion.HTTP_1_1, 200, HttpVersion.HTTP_2);
      assertThat(two.body).contains("Hello from short");
    } finally {
      h1.close().await();
      h2.close().await();
    }
    // plain HTTP on the HTTPS port gets no answer
    Http.Reply plain = null;
    try {
      plain = http.get("/health/live");
    } catch (RuntimeException | AssertionError refused) {
      // the connection was closed: what a TLS listener does with cleartext
    }
    assertThat(plain == null || plain.failure() != null || plain.status() != 200).isTrue();
    assertThat(metric("sluice_tls_certificate_expiry_seconds")).isGreaterThan(System.currentTimeMillis() / 1000.0);
  }

  @Test
  void aRotatedCertificateIsServedWithoutARestart() throws Exception {
    startNode(tlsNode(Duration.ofMillis(100)));
    assertThat(servedSubject()).isEqualTo("CN=sluice-first");
    SelfSigned.make(dir, "rotated", "sluice-second").replace(first);
    eventually(() -> {
      try {
        return servedSubject().equals("CN=sluice-second");
      } catch (Exception e) {
        return false;
      }
    }, "the new certificate is served");
    // the listener may serve the new certificate a moment before the watcher hears that it took it and counts it
    eventually(() -> {
      try {
        return metric("sluice_tls_reloads_total") >= 1.0;
      } catch (Exception e) {
        return false;
      }
    }, "the reload is counted");
    assertThat(metric("sluice_tls_reloads_total")).isEqualTo(1.0);
    assertThat(metric("sluice_tls_reload_failures_total")).isZero();
  }

  @Test
  void garbageInPlaceOfTheCertificateKeepsTheOneInUse() throws Exception {
    startNode(tlsNode(Duration.ofMillis(100)));
    Files.writeString(first.cert(), "this is not a certificate\n");
    eventually(() -> metric("sluice_tls_reload_failures_total") >= 1, "the garbage is refused and counted");
    assertThat(servedSubject()).isEqualTo("CN=sluice-first");
    // a key that belongs to another certificate is refused too
    SelfSigned other = SelfSigned.make(dir, "other", "sluice-other");
    Files.write(first.cert(), Files.readAllBytes(SelfSigned.make(dir, "again", "sluice-again").cert()));
    Files.write(first.key(), Files.readAllBytes(other.key()));
    HttpClient h1 = httpsClient(false);
    try {
      assertThat(post(h1).status).isEqualTo(200);
    } finally {
      h1.close().await();
    }
    assertThat(servedSubject()).isEqualTo("CN=sluice-first");
  }

  @Test
  void aMissingCertificateFileStopsTheNodeAtStartNamingTheKey() throws Exception {
    Path missing = dir.resolve("absent.crt");
    assertThatThrownBy(() -> NodeConfig.load(new String[] {"--pool", "short=8192@http://127.0.0.1:9",
        "--tls-cert", missing.toString(), "--tls-key", first.key().toString()}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.cert_file names '" + missing + "', which does not exist");
    assertThatThrownBy(() -> NodeConfig.load(new String[] {"--pool", "short=8192@http://127.0.0.1:9",
        "--tls-cert", first.cert().toString()}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tls.key_file is required with cert_file");
    Files.writeString(dir.resolve("garbage.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> NodeConfig.load(new String[] {"--pool", "short=8192@http://127.0.0.1:9",
        "--tls-cert", first.cert().toString(), "--tls-key", dir.resolve("garbage.key").toString()}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("tls.key_file names '");
    // the command's exit status for it: CommandLineTest.aMissingCertificateExitsTwoAndNamesTheKey
  }

  @Test
  void aDnsHttpsUpstreamIsCheckedAgainstThePoolsCaFileUnderItsName() throws Exception {
    FakeUpstream secure = new FakeUpstream(vertx, "secure").start(vertx.createHttpServer(new HttpServerOptions()
        .setSsl(true).setSni(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(first.cert().toString())
            .setKeyPath(first.key().toString()))), "127.0.0.2", 0).await();
    extra.add(secure);
    try (FakeDns dns = new FakeDns()) {
      dns.set("upstream.test", "127.0.0.2");
      PoolConfig trusted = new PoolConfig("short", SHORT_CONTEXT,
          List.of(URI.create("dns+https://upstream.test:" + secure.port()))).withCaFile(first.cert());
      startNode(NodeConfig.embedded(base().withPool(trusted).withPool(pool("long", LONG_CONTEXT, longUp.url())),
              ReliabilityConfig.DEFAULTS)
          .withDiscovery(DiscoveryConfig.DEFAULTS.withDnsServers(List.of(dns.address()))));
      Http.Reply reply = http.post("/v1/chat/completions", chatBody("hi", false));
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().getString("served_by")).isEqualTo("secure");
      assertThat(secure.serverNames).containsExactly("upstream.test");
      assertThat(secure.received.get(0).headers().get("host")).isEqualTo("upstream.test:" + secure.port());
      assertThat(endpoint("https://127.0.0.2:" + secure.port()).health().probeHealthy()).isTrue();
      dispatcher.stop().await();
      dispatcher = null;

      // without the CA file the JVM's trust store does not know the certificate: refused, never sent
      startNode(NodeConfig.embedded(base().withPool(new PoolConfig("short", SHORT_CONTEXT,
                  List.of(URI.create("dns+https://upstream.test:" + secure.port()))))
              .withPool(pool("long", LONG_CONTEXT, longUp.url())), ReliabilityConfig.DEFAULTS)
          .withDiscovery(DiscoveryConfig.DEFAULTS.withDnsServers(List.of(dns.address()))));
      Http.Reply untrusted = http.post("/v1/chat/completions", chatBody("hi", false));
      assertThat(untrusted.status()).isIn(502, 503);
      assertThat(secure.received).hasSize(1);
    }
  }
}
