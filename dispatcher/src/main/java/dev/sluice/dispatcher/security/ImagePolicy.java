package dev.sluice.dispatcher.security;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;

/**
 * What to do with image URLs that vLLM would fetch itself. vLLM's media-domain allowlist is off by
 * default and follows redirects (CVE-2025-6242), so a URL such as the cloud metadata address would be
 * fetched from inside the GPU network. {@code data:} URLs carry the image inline and are always fine.
 */
public enum ImagePolicy {
  /** Refuse any image URL that is not {@code data:} (400 {@code image_url_not_allowed}). The default. */
  REJECT_REMOTE,
  /** Pass remote image URLs to vLLM (only with vLLM's own allowlist configured). */
  ALLOW;

  /** Null when the request may proceed, else the rejection to send without calling upstream. */
  public Refusal check(boolean hasRemoteImageUrl) {
    return this == REJECT_REMOTE && hasRemoteImageUrl ? REMOTE : null;
  }

  private static final Refusal REMOTE = new Refusal(FailureKind.IMAGE_URL_NOT_ALLOWED,
      "only data: media URLs are accepted; http(s) URLs would be fetched by the model server", "messages");

}
