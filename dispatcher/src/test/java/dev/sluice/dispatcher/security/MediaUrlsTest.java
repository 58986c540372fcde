package dev.sluice.dispatcher.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MediaUrlsTest {

  private static boolean remote(String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return MediaUrls.hasRemote(b, b.length);
  }

  private static String chat(String part) {
    return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this? http://example.com\"},"
        + part + "]}]}";
  }

  @Test
  void metadataAddressIsRemote() {
    assertThat(remote(chat("{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://169.254.169.254/latest/meta-data/\"}}"))).isTrue();
  }

  @Test
  void escapedSchemeIsStillSeen() {
    assertThat(remote(chat("{\"type\":\"image_url\",\"image_url\":{\"detail\":\"low\",\"url\":\"\\u0068ttps://x.test/a.png\"}}"))).isTrue();
  }

  @Test
  void dataUrlIsNotRemote() {
    assertThat(remote(chat("{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}"))).isFalse();
  }

  @Test
  void urlsInTextAreNotMedia() {
    assertThat(remote(chat("{\"type\":\"text\",\"text\":\"see https://example.com/cat.png\"}"))).isFalse();
  }

  @Test
  void stringFormAndOtherMediaKindsCount() {
    assertThat(remote(chat("{\"type\":\"image_url\",\"image_url\":\"https://x.test/a.png\"}"))).isTrue();
    assertThat(remote(chat("{\"type\":\"video_url\",\"video_url\":{\"url\":\"https://x.test/v.mp4\"}}"))).isTrue();
  }
}
