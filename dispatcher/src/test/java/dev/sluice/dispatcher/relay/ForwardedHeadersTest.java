package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

  private static List<String> lines(MultiMap headers) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : headers) {
      out.add(e.getKey() + ": " + e.getValue());
    }
    return out;
  }

  @Test
  void theRequestGoesUpWithoutHopByHopHeadersCredentialsHostExpectOrEncoding() {
    MultiMap from = HttpHeaders.headers()
        .add("Host", "sluice:8080")
        .add("Connection", "keep-alive")
        .add("Keep-Alive", "timeout=5")
        .add("Content-Type", "application/json")
        .add("Authorization", "Bearer client-key")
        .add("X-Api-Key", "client-key")
        .add("Proxy-Authorization", "Basic abc")
        .add("Proxy-Connection", "keep-alive")
        .add("TE", "trailers")
        .add("Trailer", "x-checksum")
        .add("Transfer-Encoding", "chunked")
        .add("Upgrade", "h2c")
        .add("HTTP2-Settings", "AAMAAABkAAQAAP__")
        .add("Content-Length", "1234")
        .add("Expect", "100-continue")
        .add("Accept-Encoding", "gzip")
        .add("accept", "application/json")
        .add("x-stainless-lang", "python")
        .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .add("x-custom", "one")
        .add("X-Custom", "two");
    MultiMap to = HttpHeaders.headers();

    ForwardedHeaders.copyRequest(from, to);

    assertThat(lines(to)).containsExactly(
        "Content-Type: application/json",
        "accept: application/json",
        "x-stainless-lang: python",
        "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "x-custom: one",
        "X-Custom: two");
  }

  @Test
  void theResponseComesDownWithItsHeadersButNotTheHopByHopOnes() {
    MultiMap from = HttpHeaders.headers()
        .add("date", "Thu, 03 Dec 2026 22:30:00 GMT")
        .add("server", "uvicorn")
        .add("content-length", "812")
        .add("content-type", "application/json")
        .add("Connection", "keep-alive")
        .add("transfer-encoding", "chunked")
        .add("set-cookie", "a=1")
        .add("set-cookie", "b=2")
        // only the request drops these: an upstream's own are the client's to see
        .add("x-api-key", "echoed")
        .add("Host", "upstream");
    MultiMap to = HttpHeaders.headers();

    ForwardedHeaders.copyResponse(from, to);

    assertThat(lines(to)).containsExactly(
        "date: Thu, 03 Dec 2026 22:30:00 GMT",
        "server: uvicorn",
        "content-type: application/json",
        "set-cookie: a=1",
        "set-cookie: b=2",
        "x-api-key: echoed",
        "Host: upstream");
  }

  @Test
  void headersNamedInConnectionStayBehindWhateverTheirCase() {
    MultiMap from = HttpHeaders.headers()
        .add("Connection", "X-Hop, close-notify ,, x-other")
        .add("x-hop", "1")
        .add("Close-Notify", "2")
        .add("X-OTHER", "3")
        .add("x-kept", "4");
    MultiMap to = HttpHeaders.headers();

    ForwardedHeaders.copyResponse(from, to);

    assertThat(lines(to)).containsExactly("x-kept: 4");
  }

  @Test
  void aNameThatOnlyResemblesADroppedOneGoesThrough() {
    // same lengths as dropped names, or a dropped name inside a longer one
    MultiMap from = HttpHeaders.headers()
        .add("tx", "a")
        .add("hosts", "b")
        .add("x-api-kez", "c")
        .add("content-lengths", "d")
        .add("upgrade-insecure-requests", "e")
        .add("x-forwarded-host", "f");
    MultiMap to = HttpHeaders.headers();

    ForwardedHeaders.copyRequest(from, to);

    assertThat(lines(to)).containsExactly("tx: a", "hosts: b", "x-api-kez: c", "content-lengths: d",
        "upgrade-insecure-requests: e", "x-forwarded-host: f");
  }
}
