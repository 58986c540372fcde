package dev.sluice.mock;

import dev.sluice.engine.RequestTimes;
import io.vertx.core.buffer.Buffer;

/**
 * One parsed request of an API that generates through the engine besides chat and completions (the Responses and
 * the Messages API). {@link MockVllm} counts its prompt, asks it for its admission, drives the engine and writes
 * what its {@link Answer} lays out; the API's own rules and bytes stay in its own classes.
 */
interface Endpoint {

  /** The prompt as chat messages (the chat template applies), with the request's model and stream flag. */
  MockRequest prompt();

  /**
   * vLLM's checks once the prompt is counted, in vLLM's order; the output the request gets and how it is written.
   *
   * @param id           the engine's id of the request
   * @param promptTokens the prompt's token count, chat template included
   */
  Plan admit(long id, int promptTokens) throws Refused;

  /** This API's error body. */
  Buffer error(int status, String message, String type, String param);

  /** The output an admitted request gets and the writer of its bytes. */
  record Plan(int outputTokens, Answer answer) {
  }

  /** The bytes of one admitted request, as its API lays them out. */
  interface Answer {

    /** Written with a stream's headers, before the first token (empty when the API sends nothing then). */
    Buffer head();

    /** A stream's bytes for output token {@code index}; {@code last} on the final one. */
    Buffer token(int index, boolean last);

    /** A stream's closing bytes, once every token is out. */
    Buffer tail(RequestTimes times);

    /** The whole non-streaming body. */
    Buffer body(RequestTimes times);
  }

  /** A refusal in the API's own shape: the status and the body to send. */
  final class Refused extends Exception {
    final int status;
    final transient Buffer body;

    Refused(int status, Buffer body) {
      super(null, null, false, false);
      this.status = status;
      this.body = body;
    }
  }
}
