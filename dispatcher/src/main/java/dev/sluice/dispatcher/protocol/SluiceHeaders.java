package dev.sluice.dispatcher.protocol;

import io.vertx.core.http.HttpHeaders;

/** Names of the headers Sluice adds to responses and reads from requests, encoded once. */
public final class SluiceHeaders {
  private SluiceHeaders() {
  }

  /** Response: the pool that served the request. */
  public static final CharSequence POOL = HttpHeaders.createOptimized("x-sluice-pool");
  /** Response: the total token budget used for routing. */
  public static final CharSequence BUDGET = HttpHeaders.createOptimized("x-sluice-budget");
  /** Response: the unbiased prompt-token estimate (mean ratio), beside the conservative budget. */
  public static final CharSequence PROMPT_ESTIMATE = HttpHeaders.createOptimized("x-sluice-prompt-estimate");
  /** Response: {@code calibrated} (the learned estimate) or {@code tokenizer} (the pool counted the prompt). */
  public static final CharSequence ESTIMATE_SOURCE = HttpHeaders.createOptimized("x-sluice-estimate-source");
  /** Response: the content category of the prompt; request: a category chosen by the client. */
  public static final CharSequence CATEGORY = HttpHeaders.createOptimized("x-sluice-category");
  /** Request: the admission class asked for ({@code high}, {@code normal}, {@code low}). */
  public static final CharSequence PRIORITY = HttpHeaders.createOptimized("x-sluice-priority");
}
