package dev.sluice.dispatcher.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointSetTest {
  private static Endpoint endpoint(int port) {
    return Endpoint.of(URI.create("http://127.0.0.1:" + port));
  }

  @Test
  void picksTheEndpointWithFewestInFlight() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    Endpoint c = endpoint(3);
    a.acquire();
    a.acquire();
    c.acquire();
    EndpointSet set = new EndpointSet(List.of(a, b, c));
    assertThat(set.pick()).isSameAs(b);
  }

  @Test
  void equallyBusyEndpointsTakeTurns() {
    EndpointSet set = new EndpointSet(List.of(endpoint(1), endpoint(2), endpoint(3)));
    List<Endpoint> picked = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picked.add(set.pick());
    }
    assertThat(picked.subList(0, 3)).doesNotHaveDuplicates().containsExactlyElementsOf(picked.subList(3, 6));
  }

  @Test
  void avoidsTheFailedEndpointWhenAnotherExists() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    b.acquire();
    EndpointSet set = new EndpointSet(List.of(a, b));
    assertThat(set.pick(a)).isSameAs(b);
  }

  @Test
  void aSingleEndpointIsPickedEvenWhenAvoided() {
    Endpoint a = endpoint(1);
    assertThat(new EndpointSet(List.of(a)).pick(a)).isSameAs(a);
  }

  @Test
  void scoredPickTakesTheLowestScoreAndNeverAnUnavailableEndpoint() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    Endpoint c = endpoint(3);
    EndpointSet set = new EndpointSet(List.of(a, b, c));
    // a is idle but unavailable (NaN); c has fewer in flight plus queued than b
    assertThat(set.pick(null, e -> e == a ? Double.NaN : e == b ? 5 : 2)).isSameAs(c);
  }

  @Test
  void scoredPickIsNullWhenNothingButTheAvoidedEndpointIsAvailable() {
    Endpoint a = endpoint(1);
    Endpoint b = endpoint(2);
    EndpointSet set = new EndpointSet(List.of(a, b));
    assertThat(set.pick(a, e -> e == a ? 0 : Double.NaN)).isNull();
  }

  @Test
  void baseUrlPathPrefixesRequestPaths() {
    Endpoint e = Endpoint.of(URI.create("https://gpu.example/vllm/"));
    assertThat(e.uri("/v1/models") + " " + e.port() + " " + e.ssl()).isEqualTo("/vllm/v1/models 443 true");
  }
}
