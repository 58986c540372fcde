package dev.sluice.dispatcher.scan;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The body that goes upstream: the client's bytes, with at most two edits made in place by offset, every other byte
 * kept: {@code include_usage} asked for on the client's behalf ({@link IncludeUsageRewrite}), and the model's own
 * name where the client wrote one of its aliases (the upstream serves the model under its own name).
 */
public final class UpstreamBody {
  private UpstreamBody() {
  }

  /**
   * @param askUsage ask the stream for its usage ({@link IncludeUsageRewrite#needed} must hold)
   * @param rename   the model name to send instead of the client's, or null to keep it
   * @return {@code body} itself when nothing changes
   */
  public static Buffer of(Buffer body, RequestFacts facts, boolean askUsage, String rename) {
    IncludeUsageRewrite.Edit usage = askUsage ? IncludeUsageRewrite.edit(body, facts) : null;
    if (rename == null) {
      return usage == null ? body : usage.applyTo(body);
    }
    IncludeUsageRewrite.Edit model = renameEdit(body, facts, rename);
    if (model == null) {
      // the name was written with escapes: rare enough to re-encode the body once
      Buffer edited = usage == null ? body : usage.applyTo(body);
      return new JsonObject(edited).put("model", rename).toBuffer();
    }
    if (usage == null) {
      return model.applyTo(body);
    }
    // the later edit first, so that the earlier one's offsets still hold
    return usage.from() >= model.to() ? model.applyTo(usage.applyTo(body)) : usage.applyTo(model.applyTo(body));
  }

  /** The edit that writes {@code rename} over the model string token, or null when its offsets are unknown. */
  private static IncludeUsageRewrite.Edit renameEdit(Buffer body, RequestFacts facts, String rename) {
    int from = facts.modelStart();
    int to = facts.modelEnd();
    if (from < 0 || to > body.length() || body.getByte(from) != '"' || body.getByte(to - 1) != '"') {
      return null;
    }
    return new IncludeUsageRewrite.Edit(from, to, Json.encode(rename).getBytes(StandardCharsets.UTF_8));
  }
}
