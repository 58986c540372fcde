package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class RemoteMediaTest {

  private static boolean remote(String part) {
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
        + "\"text\":\"what is this? http://example.com\"}," + part + "]}]}";
    try (BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS)) {
      scanner.feed(Buffer.buffer(body));
      return scanner.finish().hasRemoteMedia();
    }
  }

  @Test
  void metadataAddressIsRemote() {
    assertThat(remote("{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://169.254.169.254/latest/meta-data/\"}}"))
        .isTrue();
  }

  @Test
  void escapedSchemeIsStillSeen() {
    assertThat(remote("{\"type\":\"image_url\",\"image_url\":{\"detail\":\"low\",\"url\":\"\\u0068ttps://x.test/a.png\"}}"))
        .isTrue();
  }

  @Test
  void dataUrlIsNotRemote() {
    assertThat(remote("{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}"))
        .isFalse();
  }

  @Test
  void urlsInTextAreNotMedia() {
    assertThat(remote("{\"type\":\"text\",\"text\":\"see https://example.com/cat.png\"}")).isFalse();
  }

  @Test
  void stringFormIsRemote() {
    assertThat(remote("{\"type\":\"image_url\",\"image_url\":\"https://x.test/a.png\"}")).isTrue();
  }

  @Test
  void videoUrlIsMediaToo() {
    assertThat(remote("{\"type\":\"video_url\",\"video_url\":{\"url\":\"https://x.test/v.mp4\"}}")).isTrue();
  }
}
