package dev.sluice.dispatcher.scan;

import io.vertx.core.buffer.Buffer;

/**
 * Streaming scanner over an OpenAI request body, fed chunk by chunk as it arrives on the event loop.
 * One instance per request; not thread-safe. Never builds a tree.
 */
public final class BodyScanner {

  /** Which endpoint the body is for: it decides where the prompt text lives. */
  public enum Kind { CHAT, COMPLETIONS }

  public BodyScanner(Kind kind, ScanLimits limits) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Feeds the next chunk. Throws {@link ScanException} on malformed JSON or a limit breach. */
  public void feed(Buffer chunk) {
    throw new UnsupportedOperationException("not built yet");
  }

  /** Ends the body and returns what was found. Throws {@link ScanException} when the JSON is incomplete
   *  or required fields are missing or mistyped. */
  public RequestFacts finish() {
    throw new UnsupportedOperationException("not built yet");
  }
}
