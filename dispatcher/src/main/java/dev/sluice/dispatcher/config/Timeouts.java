package dev.sluice.dispatcher.config;

import dev.sluice.config.Key;
import dev.sluice.config.Section;
import dev.sluice.config.Type;

/**
 * Upstream timeouts, in milliseconds: the {@code timeouts:} section.
 *
 * @param connectMs     TCP connect to an endpoint
 * @param firstByteMs   from sending a request to the upstream's response headers
 * @param streamIdleMs  longest gap between two response chunks
 * @param modelsMs      each upstream's answer to {@code GET /v1/models}
 */
public record Timeouts(int connectMs, int firstByteMs, int streamIdleMs, int modelsMs) {
  static final Key<Timeouts, Integer> CONNECT_MS = Key.of("connect_ms", Type.INTEGER, Timeouts::connectMs)
      .byDefault(2_000).positive()
      .doc("TCP connect to an endpoint; a failure is retried once on another endpoint");
  static final Key<Timeouts, Integer> FIRST_BYTE_MS = Key.of("first_byte_ms", Type.INTEGER, Timeouts::firstByteMs)
      .byDefault(120_000).positive()
      .doc("from sending the request to the upstream's response headers; then 504. Long prompts take a while "
          + "to prefill, hence the generous default");
  static final Key<Timeouts, Integer> STREAM_IDLE_MS = Key.of("stream_idle_ms", Type.INTEGER, Timeouts::streamIdleMs)
      .byDefault(60_000).positive()
      .doc("longest silence between two chunks of a started response; then the stream is cut (error event, "
          + "reset). Time spent paused because the client reads slowly does not count. Both deadlines are "
          + "checked by one sweep per event loop every twentieth of the shorter of the two (10 ms to 1 s), so "
          + "they fire up to that much late: within 61 s for the defaults");
  static final Key<Timeouts, Integer> MODELS_MS = Key.of("models_ms", Type.INTEGER, Timeouts::modelsMs)
      .byDefault(2_000).positive()
      .doc("each endpoint's answer to `GET /v1/models`; a slow or down endpoint is left out of the list");

  public static final Section<Timeouts> SECTION = Section.of("timeouts",
      v -> new Timeouts(v.get(CONNECT_MS), v.get(FIRST_BYTE_MS), v.get(STREAM_IDLE_MS), v.get(MODELS_MS)),
      CONNECT_MS, FIRST_BYTE_MS, STREAM_IDLE_MS, MODELS_MS);

  public static final Timeouts DEFAULTS = SECTION.defaults();
}
