package dev.sluice.dispatcher.config;

/** Every default of the dispatcher's configuration, in one place. Sizes in bytes, times in milliseconds. */
public final class Defaults {
  private Defaults() {
  }

  public static final String HOST = "0.0.0.0";
  public static final int PORT = 8080;

  /** Request bodies above this are refused with 413. Long-context chat bodies stay well under it. */
  public static final int BODY_CAP_BYTES = 8 * 1024 * 1024;

  /**
   * Output tokens reserved when a request names neither {@code max_tokens} nor {@code max_completion_tokens}.
   * Such a request is routed as if it had asked for this many; on the pool it lands on, vLLM lets it generate
   * up to that pool's context minus the prompt, so on a short pool its longest possible answer is shorter
   * than on a long pool. A modest reserve keeps ordinary chats on the short pool while leaving room for a
   * typical answer.
   */
  public static final int DEFAULT_OUTPUT_RESERVE = 1024;

  /** Fixed prior ratio used until calibration exists: decoded UTF-8 bytes per token. */
  public static final double BYTES_PER_TOKEN = 4.0;

  /** Pooled HTTP/1.1 connections to one upstream endpoint (Vert.x defaults to 5, far too few for streams). */
  public static final int MAX_CONNECTIONS_PER_ENDPOINT = 512;

  /** Requests waiting for a connection to one endpoint; past it a request fails fast with 503. */
  public static final int MAX_WAIT_QUEUE = 256;

  public static final int CONNECT_TIMEOUT_MS = 2_000;
  /** Time from sending the request to the upstream's first response byte; long prompts take a while to prefill. */
  public static final int FIRST_BYTE_TIMEOUT_MS = 120_000;
  /** Longest silence between two chunks of a response once it has started. */
  public static final int STREAM_IDLE_TIMEOUT_MS = 60_000;
  /** Time allowed to each upstream for {@code GET /v1/models}. */
  public static final int MODELS_TIMEOUT_MS = 2_000;

  /**
   * Idle pooled connections to an upstream are closed after this many seconds. Below uvicorn's 5 s
   * keep-alive (vLLM's server), so Sluice closes first rather than reuse a connection the server is closing.
   */
  public static final int UPSTREAM_KEEP_ALIVE_SECONDS = 4;

  /** Largest upstream error body read to decide whether it is a context-length error worth a retry. */
  public static final int ERROR_PEEK_BYTES = 16 * 1024;
}
