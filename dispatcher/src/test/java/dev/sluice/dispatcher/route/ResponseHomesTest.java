package dev.sluice.dispatcher.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponseHomesTest {

  @Test
  void remembersUpToItsCapacityDroppingTheEldest() {
    ResponseHomes homes = new ResponseHomes(3, 60_000);
    for (int i = 0; i < 5; i++) {
      homes.remember("resp_" + i, "short", "http://10.0.0." + i + ":8000");
    }
    assertThat(homes.size()).isEqualTo(3);
    assertThat(homes.find("resp_0")).isNull();
    assertThat(homes.find("resp_1")).isNull();
    assertThat(homes.find("resp_4").endpoint()).isEqualTo("http://10.0.0.4:8000");
    assertThat(homes.find("resp_2").pool()).isEqualTo("short");
  }

  @Test
  void forgetsAnAnswerOnceItIsOlderThanItsLimit() throws InterruptedException {
    ResponseHomes homes = new ResponseHomes(10, 1);
    homes.remember("resp_a", "long", "http://a");
    Thread.sleep(5);
    assertThat(homes.find("resp_a")).isNull();
    assertThat(homes.find("resp_never")).isNull();
  }
}
