package dev.sluice.dispatcher.config;

/**
 * Fixed values of the relay that are not configuration keys. The keys and their defaults are defined in
 * the records they fill (see {@link NodeConfig}).
 */
public final class Defaults {
  private Defaults() {
  }

  /**
   * Idle pooled connections to an upstream are closed after this many seconds. Below uvicorn's 5 s
   * keep-alive (vLLM's server), so Sluice closes first rather than reuse a connection the server is closing.
   */
  public static final int UPSTREAM_KEEP_ALIVE_SECONDS = 4;

  /** Largest upstream error body read to decide whether it is a context-length error worth a retry. */
  public static final int ERROR_PEEK_BYTES = 16 * 1024;
}
