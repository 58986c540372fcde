package dev.sluice.dispatcher.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * Finds media URLs that vLLM would fetch itself: the {@code url} of an {@code image_url},
 * {@code video_url} or {@code audio_url} object (or those fields given directly as a string) that is
 * not a {@code data:} URL. Runs only for requests the scanner flagged as carrying media, so text
 * requests pay nothing; a streaming parse (no tree) that decodes escapes, so {@code \u0068ttp://}
 * is seen as {@code http://}.
 */
public final class MediaUrls {

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();

  private MediaUrls() {
  }

  /** True when some media URL in the body is remote; a body that does not parse counts as remote. */
  public static boolean hasRemote(byte[] body, int length) {
    try (JsonParser p = JSON.createParser(body, 0, length)) {
      String mediaField = null;
      int mediaDepth = -1;
      int depth = 0;
      String lastField = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            if (t == JsonToken.START_OBJECT && isMedia(lastField) && mediaDepth < 0) {
              mediaField = lastField;
              mediaDepth = depth;
            }
            depth++;
            lastField = null;
          }
          case END_OBJECT, END_ARRAY -> {
            depth--;
            if (depth == mediaDepth) {
              mediaDepth = -1;
              mediaField = null;
            }
          }
          case FIELD_NAME -> lastField = p.currentName();
          case VALUE_STRING -> {
            boolean urlOfMedia = mediaField != null && depth == mediaDepth + 1 && "url".equals(lastField);
            if ((urlOfMedia || isMedia(lastField)) && ImagePolicy.isRemote(p.getText())) {
              return true;
            }
            lastField = null;
          }
          default -> lastField = null;
        }
      }
      return false;
    } catch (IOException | RuntimeException unreadable) {
      return true;
    }
  }

  private static boolean isMedia(String field) {
    return "image_url".equals(field) || "video_url".equals(field) || "audio_url".equals(field);
  }
}
