package dev.sluice.dispatcher.security;

import dev.sluice.dispatcher.error.FailureKind;
import dev.sluice.dispatcher.error.Refusal;

import dev.sluice.dispatcher.scan.MediaUrl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityTest {

  private static final long SECOND = 1_000_000_000L;
  private static final ApiKey ALICE = new ApiKey("alice", ApiKeys.sha256Hex("sk-alice-123"), 3, 1_000);
  private static final ApiKey BOB = new ApiKey("bob", ApiKeys.sha256Hex("sk-bob-456"), 0, 0);
  private static final ApiKeys KEYS = new ApiKeys(List.of(ALICE, BOB));

  @Test
  void hashIsTheStandardSha256Hex() {
    assertThat(ApiKeys.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void aKnownBearerKeyAuthenticates() {
    assertThat(KEYS.authenticate("Bearer sk-bob-456")).isSameAs(BOB);
  }

  @Test
  void theSchemeIsCaseInsensitive() {
    assertThat(KEYS.authenticate("bearer sk-alice-123")).isSameAs(ALICE);
  }

  @Test
  void unknownMissingOrMalformedKeysFail() {
    assertThat(KEYS.authenticate("Bearer sk-mallory")).isNull();
    assertThat(KEYS.authenticate(null)).isNull();
    assertThat(KEYS.authenticate("Basic c2stYWxpY2UtMTIz")).isNull();
    assertThat(KEYS.authenticate("Bearer ")).isNull();
  }

  @Test
  void withoutKeysEveryoneIsAnonymous() {
    assertThat(new ApiKeys(List.of()).authenticate(null)).isSameAs(ApiKeys.ANONYMOUS);
  }

  @Test
  void invalidKeyIs401InOpenAiTerms() {
    assertThat(FailureKind.INVALID_API_KEY.status()).isEqualTo(401);
    assertThat(FailureKind.INVALID_API_KEY.code()).isEqualTo("invalid_api_key");
  }

  @Test
  void configRejectsAPlainKeyInPlaceOfItsHash() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new ApiKey("x", "sk-plain", 0, 0)))
        .hasMessageContaining("64 hex digits");
  }

  @Test
  void requestsPerMinuteLimitAllowsTheBurstThenRefuses() {
    KeyRateLimiter limiter = new KeyRateLimiter(List.of(ALICE, BOB), 0);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.charge(ALICE, 1, 0)).isNull();
    }
    Refusal r = limiter.charge(ALICE, 1, 0);
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.kind().code()).isEqualTo("rate_limit_exceeded");
    assertThat(r.kind().type()).isEqualTo("requests");
    assertThat(r.retryAfterSeconds()).isEqualTo(20);
  }

  @Test
  void theBucketRefillsOverTime() {
    KeyRateLimiter limiter = new KeyRateLimiter(List.of(ALICE), 0);
    for (int i = 0; i < 3; i++) {
      limiter.charge(ALICE, 1, 0);
    }
    assertThat(limiter.charge(ALICE, 1, 20 * SECOND)).isNull();
  }

  @Test
  void tokenBudgetLimitRefusesAndRefundsTheRequestSlot() {
    KeyRateLimiter limiter = new KeyRateLimiter(List.of(ALICE), 0);
    assertThat(limiter.charge(ALICE, 900, 0)).isNull();
    Refusal r = limiter.charge(ALICE, 200, 0);
    assertThat(r.kind().type()).isEqualTo("tokens");
    assertThat(limiter.charge(ALICE, 50, 0)).isNull();
    assertThat(limiter.charge(ALICE, 50, 0)).isNull();
    assertThat(limiter.charge(ALICE, 1, 0).kind().type()).isEqualTo("requests");
  }

  @Test
  void tokensChargedOnTheBudgetAreSettledOnWhatWasUsed() {
    ApiKey tokensOnly = new ApiKey("carol", ApiKeys.sha256Hex("sk-carol"), 0, 1_000);
    KeyRateLimiter limiter = new KeyRateLimiter(List.of(tokensOnly, BOB), 0);
    assertThat(limiter.chargesTokens(tokensOnly)).isTrue();
    assertThat(limiter.chargesTokens(BOB)).isFalse();
    // charged 600 on the estimate, used 100: 500 come back
    assertThat(limiter.charge(tokensOnly, 600, 0)).isNull();
    limiter.settle(tokensOnly, 600, 100);
    assertThat(limiter.charge(tokensOnly, 900, 0)).isNull();
    assertThat(limiter.charge(tokensOnly, 1, 0)).isNotNull();
  }

  @Test
  void usingMoreThanTheEstimateLeavesTheKeyInDebtUntilItIsPaidBack() {
    ApiKey tokensOnly = new ApiKey("carol", ApiKeys.sha256Hex("sk-carol"), 0, 1_000);
    KeyRateLimiter limiter = new KeyRateLimiter(List.of(tokensOnly), 0);
    assertThat(limiter.charge(tokensOnly, 100, 0)).isNull();
    limiter.settle(tokensOnly, 100, 1_300);
    // 1,300 used of 1,000 a minute: nothing more for the next 18 s (300 over, plus the 1 asked)
    assertThat(limiter.charge(tokensOnly, 1, 0)).isNotNull();
    assertThat(limiter.charge(tokensOnly, 1, 17 * SECOND)).isNotNull();
    assertThat(limiter.charge(tokensOnly, 1, 19 * SECOND)).isNull();
  }

  @Test
  void aSingleRequestLargerThanTheMinuteBudgetIsRefused() {
    KeyRateLimiter limiter = new KeyRateLimiter(List.of(ALICE), 0);
    Refusal r = limiter.charge(ALICE, 5_000, 0);
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.retryAfterSeconds()).isEqualTo(60);
  }

  @Test
  void keysWithoutLimitsAreNeverLimited() {
    KeyRateLimiter limiter = new KeyRateLimiter(List.of(BOB), 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(limiter.charge(BOB, 100_000, 0)).isNull();
    }
  }

  @Test
  void remoteImageUrlsAreRecognised() {
    assertThat(MediaUrl.isRemote("http://169.254.169.254/latest/meta-data/")).isTrue();
    assertThat(MediaUrl.isRemote("HTTPS://example.com/cat.png")).isTrue();
    assertThat(MediaUrl.isRemote("file:///etc/passwd")).isTrue();
    assertThat(MediaUrl.isRemote("  data:image/png;base64,iVBORw0KGgo=")).isFalse();
    assertThat(MediaUrl.isRemote("DATA:image/png;base64,AAAA")).isFalse();
  }

  @Test
  void rejectPolicyRefusesRemoteImagesWith400() {
    Refusal r = ImagePolicy.REJECT_REMOTE.check(true);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.kind().code()).isEqualTo("image_url_not_allowed");
    assertThat(ImagePolicy.REJECT_REMOTE.check(false)).isNull();
    assertThat(ImagePolicy.ALLOW.check(true)).isNull();
  }
}
