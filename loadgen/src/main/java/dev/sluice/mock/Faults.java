package dev.sluice.mock;

import java.util.SplittableRandom;

/**
 * Fault injection for tests of the dispatcher's retry and failure handling. Each fraction is the probability
 * that one request gets that fault, drawn from a seeded generator so runs repeat.
 *
 * @param error503      answer 503 with an OpenAI-shaped error
 * @param error500      answer 500 with an OpenAI-shaped error
 * @param resetMidStream close the connection after a couple of content chunks (non-streaming: before the body)
 * @param hang          never send headers (the request stays open until the client gives up)
 * @param garbage       200 with bytes that are neither SSE nor JSON
 * @param inStream      a stream whose first event is vLLM's error event ({@code data: {"error": ...}} then
 *                      {@code data: [DONE]}, on a 200), as when the engine fails a request before its first output;
 *                      non-streaming: vLLM's 500
 * @param midStream     the same error event after the role chunk and a couple of content chunks, as when the
 *                      engine finishes a request with reason {@code error} mid-generation; non-streaming: a 500
 *                      instead of the body
 * @param dieAfter      after this many requests the server stops listening and drops every connection (0 = never)
 * @param seed          generator seed
 */
public record Faults(double error503, double error500, double resetMidStream, double hang, double garbage,
    double inStream, double midStream, long dieAfter, long seed) {

  public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0, 0, 0, 1);

  /** What happens to one request. */
  public enum Kind { NONE, ERROR_503, ERROR_500, RESET, HANG, GARBAGE, IN_STREAM, MID_STREAM }

  public boolean any() {
    return error503 > 0 || error500 > 0 || resetMidStream > 0 || hang > 0 || garbage > 0 || inStream > 0
        || midStream > 0;
  }

  /** Draws the fault for the next request (one draw per request, fixed order of kinds). */
  public Kind draw(SplittableRandom rnd) {
    if (!any()) {
      return Kind.NONE;
    }
    double x = rnd.nextDouble();
    if ((x -= error503) < 0) {
      return Kind.ERROR_503;
    }
    if ((x -= error500) < 0) {
      return Kind.ERROR_500;
    }
    if ((x -= resetMidStream) < 0) {
      return Kind.RESET;
    }
    if ((x -= hang) < 0) {
      return Kind.HANG;
    }
    if ((x -= garbage) < 0) {
      return Kind.GARBAGE;
    }
    if ((x -= inStream) < 0) {
      return Kind.IN_STREAM;
    }
    if ((x -= midStream) < 0) {
      return Kind.MID_STREAM;
    }
    return Kind.NONE;
  }
}
