package dev.sluice.dispatcher.estimate;

import io.vertx.core.http.HttpHeaders;

/** Where a budget's prompt tokens come from; the response says so in {@code x-sluice-estimate-source}. */
public enum EstimateSource {
  /** The learned estimate from the prompt's bytes. */
  CALIBRATED("calibrated"),
  /** The pool's own tokenizer counted the prompt ({@code POST /tokenize}). */
  TOKENIZER("tokenizer");

  private final CharSequence header;

  EstimateSource(String header) {
    this.header = HttpHeaders.createOptimized(header);
  }

  /** The value of {@code x-sluice-estimate-source}, encoded once. */
  public CharSequence header() {
    return header;
  }
}
