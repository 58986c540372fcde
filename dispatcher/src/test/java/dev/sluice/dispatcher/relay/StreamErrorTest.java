package dev.sluice.dispatcher.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.dispatcher.error.FailureKind;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamErrorTest {

  private static Optional<StreamError> parse(String data) {
    return StreamError.parse(Buffer.buffer(data));
  }

  private static StreamError error(String inner) {
    return parse("{\"error\": {" + inner + "}}").orElseThrow();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`\"message\": \"Internal server error\", \"type\": \"InternalServerError\", \"param\": null, \"code\": 500` | SERVER | 500",
      "`\"message\": \"x\", \"type\": \"BadGateway\", \"code\": 502` | SERVER | 502",
      "`\"message\": \"queue full\", \"type\": \"ServiceUnavailableError\", \"param\": null, \"code\": 503` | OVERLOADED | 503",
      "`\"message\": \"slow down\", \"code\": 429` | OVERLOADED | 429",
      "`\"message\": \"temperature must be non-negative\", \"type\": \"BadRequestError\", \"code\": 400` | CLIENT | 400",
      "`\"message\": \"no status\", \"type\": \"BadRequestError\", \"code\": \"invalid_value\"` | CLIENT | 400",
      "`\"message\": \"no status at all\"` | SERVER | 500",
      "`\"message\": \"This model's maximum context length is 8192 tokens. However, you requested 16 output tokens and "
          + "your prompt contains at least 8177 input tokens, for a total of at least 8193 tokens.\", "
          + "\"type\": \"BadRequestError\", \"param\": \"input_tokens\", \"code\": 400` | CONTEXT_LENGTH | 400",
      "`\"message\": \"The decoder prompt (length 9000) is longer than the maximum model length of 8192.\", "
          + "\"type\": \"InternalServerError\", \"code\": 500` | CONTEXT_LENGTH | 500",
  })
  void classifiesByCodeAndWording(String inner, StreamError.Kind kind, int status) {
    StreamError e = error(inner);
    assertThat(new Object[] {e.kind(), e.status()}).containsExactly(kind, status);
  }

  /** The failure table's rows: only the endpoint's own failure counts against its health. */
  @Test
  void eachKindHasItsRowOfTheFailureTable() {
    StreamError server = error("\"message\": \"x\", \"code\": 500");
    StreamError busy = error("\"message\": \"x\", \"code\": 503");
    StreamError client = error("\"message\": \"x\", \"code\": 400");
    StreamError tooLong = error("\"message\": \"x\", \"param\": \"input_tokens\", \"code\": 400");
    assertThat(new Object[] {server.failure(), server.failure().endpointFault(), busy.failure(),
        busy.failure().endpointFault(), client.failure(), tooLong.failure()})
        .containsExactly(FailureKind.UPSTREAM_STREAM_ERROR, true, FailureKind.UPSTREAM_UNAVAILABLE, false, null,
            FailureKind.CONTEXT_LENGTH_EXCEEDED);
  }

  @Test
  void aBareMessageIsAServerError() {
    StreamError e = parse("{\"error\":\"upstream exploded\"}").orElseThrow();
    assertThat(new Object[] {e.kind(), e.message()}).containsExactly(StreamError.Kind.SERVER, "upstream exploded");
  }

  @Test
  void chunksAndGarbageAreNotErrors() {
    assertThat(parse("{\"id\":\"x\",\"choices\":[]}")).isEmpty();
    assertThat(parse("{\"error\": null}")).isEmpty();
    assertThat(parse("[DONE]")).isEmpty();
    assertThat(parse("{\"error\": {")).isEmpty();
  }
}
