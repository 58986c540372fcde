package dev.sluice.dispatcher.scan;

import dev.sluice.dispatcher.api.Api;
import static dev.sluice.dispatcher.scan.Bodies.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ScanValidationTest {
  private static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";

  private static ScanException scanError(Api kind, String json, ScanLimits limits) {
    BodyScanner scanner = new BodyScanner(kind, limits);
    return catchThrowableOfType(ScanException.class, () -> {
      scanner.feed(Buffer.buffer(utf8(json)));
      scanner.finish();
    });
  }

  private static ScanException chatError(String json) {
    return scanError(Api.CHAT, json, ScanLimits.DEFAULTS);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`{\"messages\":[`",
      "`{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]`",
      "`{\"messages\" [] }`",
      "`{\"model\":\"m\",}`",
      "`{\"messages\":[{\"role\":\"user\",\"content\":\"unterminated}]}`",
      "`[1,2]`",
      "`\"just a string\"`",
      "`42`",
      "``",
      "`   `",
      "`{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} {}`",
      "`{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}]`",
      "`{\"messages\":[{\"role\":\"user\",\"content\":\"\\uZZZZ\"}]}`",
  })
  void malformedOrNonObjectBodiesHaveNoParam(String json) {
    ScanException error = chatError(json);

    assertThat(error).isNotNull();
    assertThat(error.param()).isNull();
  }

  @ParameterizedTest(name = "{1}: {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`{\"model\":\"m\"}` | messages",
      "`{\"messages\":null}` | messages",
      "`{\"messages\":{}}` | messages",
      "`{\"messages\":\"hi\"}` | messages",
      "`{\"messages\":[]}` | messages",
      "`{\"messages\":[\"hi\"]}` | messages",
      "`{\"messages\":[{\"content\":\"x\"}]}` | messages",
      "`{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}` | messages",
      "`{\"messages\":[{\"role\":7,\"content\":\"x\"}]}` | messages",
      "`{\"messages\":[{\"role\":\"user\",\"content\":7}]}` | messages",
      "`{\"messages\":[{\"role\":\"user\",\"content\":{\"text\":\"x\"}}]}` | messages",
      "`{\"messages\":[{\"role\":\"user\",\"content\":[\"x\"]}]}` | messages",
      "`{\"model\":7,MSG}` | model",
      "`{\"model\":[\"m\"],MSG}` | model",
      "`{\"stream\":\"true\",MSG}` | stream",
      "`{\"stream\":1,MSG}` | stream",
      "`{\"stream_options\":true,MSG}` | stream_options",
      "`{\"stream_options\":{\"include_usage\":\"yes\"},MSG}` | stream_options",
      "`{\"max_tokens\":0,MSG}` | max_tokens",
      "`{\"max_tokens\":-5,MSG}` | max_tokens",
      "`{\"max_tokens\":1.5,MSG}` | max_tokens",
      "`{\"max_tokens\":\"100\",MSG}` | max_tokens",
      "`{\"max_tokens\":99999999999,MSG}` | max_tokens",
      "`{\"max_completion_tokens\":0,MSG}` | max_completion_tokens",
      "`{\"n\":0,MSG}` | n",
      "`{\"n\":true,MSG}` | n",
  })
  void chatFieldErrorsNameTheirParam(String json, String param) {
    ScanException error = chatError(json.replace("MSG", MSG));

    assertThat(error).isNotNull();
    assertThat(error.param()).isEqualTo(param);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}`",
      "`{\"prompt\":null}`",
      "`{\"prompt\":42}`",
      "`{\"prompt\":{\"text\":\"x\"}}`",
      "`{\"prompt\":[\"a\",{\"x\":1}]}`",
      "`{\"prompt\":[1,[2,\"b\"]]}`",
  })
  void completionsPromptErrorsNamePrompt(String json) {
    ScanException error = scanError(Api.COMPLETIONS, json, ScanLimits.DEFAULTS);

    assertThat(error).isNotNull();
    assertThat(error.param()).isEqualTo("prompt");
  }

  @Test
  void invalidUtf8IsMalformed() {
    byte[] body = utf8("{\"messages\":[{\"role\":\"user\",\"content\":\"ab\"}]}");
    body[body.length - 6] = (byte) 0xC3; // a lead byte followed by an ASCII byte
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);

    ScanException error = catchThrowableOfType(ScanException.class, () -> {
      scanner.feed(Buffer.buffer(body));
      scanner.finish();
    });

    assertThat(error).isNotNull();
    assertThat(error.param()).isNull();
  }

  @Test
  void tenThousandDeepNestingFailsAtTheDepthLimit() {
    String json = "{\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "," + MSG + "}";

    ScanException error = chatError(json);

    assertThat(error).isNotNull();
    assertThat(error.getMessage()).containsIgnoringCase("depth");
  }

  @Test
  void depthLimitStopsBeforeTheRestOfTheBodyArrives() {
    BodyScanner scanner = new BodyScanner(Api.CHAT, ScanLimits.DEFAULTS);

    ScanException error = catchThrowableOfType(ScanException.class,
        () -> scanner.feed(Buffer.buffer("{\"x\":" + "[".repeat(10_000))));

    assertThat(error).isNotNull();
  }

  @Test
  void tenThousandDigitNumberFailsAtTheNumberLimit() {
    String json = "{\"seed\":" + "9".repeat(10_000) + "," + MSG + "}";

    ScanException error = chatError(json);

    assertThat(error).isNotNull();
    assertThat(error.getMessage()).containsIgnoringCase("number");
  }

  @Test
  void tenThousandDigitMaxTokensFailsToo() {
    assertThat(chatError("{\"max_tokens\":" + "1".repeat(10_000) + "," + MSG + "}")).isNotNull();
  }

  @Test
  void promptStringOverTheByteLimitFailsEvenWhenItsCharsFit() {
    ScanLimits limits = new ScanLimits(64, 100, 30);
    String content = "日".repeat(15); // 15 chars, 45 bytes

    ScanException error = scanError(Api.CHAT,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}", limits);

    assertThat(error).isNotNull();
  }

  @Test
  void anyStringOverTheLimitFails() {
    ScanLimits limits = new ScanLimits(64, 100, 1000);

    ScanException error = scanError(Api.CHAT,
        "{\"junk\":\"" + "a".repeat(5000) + "\"," + MSG + "}", limits);

    assertThat(error).isNotNull();
  }

  @Test
  void limitsThatFitAreAccepted() {
    ScanLimits limits = new ScanLimits(5, 3, 10);

    BodyScanner scanner = new BodyScanner(Api.CHAT, limits);
    scanner.feed(Buffer.buffer("{\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}"));

    assertThat(scanner.finish().maxTokens()).isEqualTo(100);
  }
}
