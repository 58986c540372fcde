package dev.sluice.loadgen;

import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A vLLM server's prefix-cache counters from its {@code /metrics}: queried and hit prompt tokens. */
final class PrefixCacheScrape {

  static final String QUERIES = "vllm:prefix_cache_queries_total";
  static final String HITS = "vllm:prefix_cache_hits_total";

  private PrefixCacheScrape() {
  }

  /** Per server, {queries, hits}, each summed over its label sets (0 when the server does not export it). */
  static Map<URI, double[]> read(HttpClientAgent client, List<URI> servers) {
    Map<URI, double[]> out = new LinkedHashMap<>();
    for (URI u : servers) {
      String text = client.request(HttpMethod.GET, u.getPort(), u.getHost(), "/metrics")
          .compose(req -> req.send()).compose(HttpClientResponse::body)
          .map(b -> b.toString(StandardCharsets.UTF_8)).await();
      out.put(u, new double[] {sum(text, QUERIES), sum(text, HITS)});
    }
    return out;
  }

  /** The sum of a Prometheus metric's samples in {@code text}. */
  static double sum(String text, String name) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name) && (line.length() == name.length() || line.charAt(name.length()) == '{'
          || line.charAt(name.length()) == ' ')) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }
}
