package io.poolclient.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.retry.Retry.Kind;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The immutable {@link Retry} policy on its own: budgets per kind of failure, which responses are
 * retried, urllib3 2.x backoff and {@code Retry-After}. No sockets.
 */
@Timeout(10)
class RetryTest {

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** The policy after {@code n} failures of {@code kind}. */
    private static Retry after(Retry retry, Kind kind, int n) {
        Retry r = retry;
        for (int i = 0; i < n; i++) {
            r = r.increment(kind);
        }
        return r;
    }

    @Nested
    class Defaults {

        @Test
        void builderStartsFromUrllib3DefaultsWithTotalThree() {
            Retry r = Retry.builder().build();
            assertThat(r.total()).isEqualTo(3);
            assertThat(r.connect()).isNull();
            assertThat(r.read()).isNull();
            assertThat(r.status()).isNull();
            assertThat(r.statusForcelist()).isEmpty();
            assertThat(r.allowedMethods()).containsExactlyInAnyOrder("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
            assertThat(r.backoffFactor()).isZero();
            assertThat(r.backoffMax()).isEqualTo(Duration.ofSeconds(120));
            assertThat(r.backoffJitter()).isZero();
            assertThat(r.respectRetryAfter()).isTrue();
            assertThat(r.raiseOnStatus()).isFalse();
            assertThat(r.attempts()).isZero();
            assertThat(r.isExhausted()).isFalse();
        }

        @Test
        void noneIsExhaustedByTheFirstFailureOfAnyKind() {
            for (Kind kind : Kind.values()) {
                Retry once = Retry.none().increment(kind);
                assertThat(once.isExhausted()).as(kind.name()).isTrue();
                assertThat(once.attempts()).isEqualTo(1);
            }
            assertThat(Retry.none().isRetry("GET", 503, true)).isFalse();
        }

        @Test
        void negativeBudgetsAndDurationsAreRefusedNamingTheProperty() {
            assertThatThrownBy(() -> Retry.builder().total(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("retry.total").hasMessageContaining("-1");
            assertThatThrownBy(() -> Retry.builder().connect(-2)).hasMessageContaining("retry.connect");
            assertThatThrownBy(() -> Retry.builder().read(-1)).hasMessageContaining("retry.read");
            assertThatThrownBy(() -> Retry.builder().status(-1)).hasMessageContaining("retry.status");
            assertThatThrownBy(() -> Retry.builder().backoffFactor(Duration.ofMillis(-1)))
                    .hasMessageContaining("retry.backoff-factor");
            assertThatThrownBy(() -> Retry.builder().backoffMax(Duration.ofSeconds(-1)))
                    .hasMessageContaining("retry.backoff-max");
            assertThatThrownBy(() -> Retry.builder().backoffJitter(Duration.ofSeconds(-1)))
                    .hasMessageContaining("retry.backoff-jitter");
            assertThatThrownBy(() -> Retry.connectOnly(-1)).hasMessageContaining("max-retries");
        }
    }

    @Nested
    class Budgets {

        @Test
        void incrementReturnsANewPolicyAndLeavesThisOneUnchanged() {
            Retry original = Retry.builder().total(2).connect(1).build();
            Retry next = original.increment(Kind.CONNECT);

            assertThat(next).isNotSameAs(original);
            assertThat(original.total()).isEqualTo(2);
            assertThat(original.connect()).isEqualTo(1);
            assertThat(original.attempts()).isZero();
            assertThat(next.total()).isEqualTo(1);
            assertThat(next.connect()).isZero();
            assertThat(next.attempts()).isEqualTo(1);
        }

        @Test
        void totalBoundsEveryKindTogether() {
            Retry r = Retry.builder().total(3).build();
            Retry three = r.increment(Kind.CONNECT).increment(Kind.READ).increment(Kind.STATUS);
            assertThat(three.total()).isZero();
            assertThat(three.isExhausted()).isFalse();
            assertThat(three.attempts()).isEqualTo(3);

            Retry four = three.increment(Kind.CONNECT);
            assertThat(four.total()).isEqualTo(-1);
            assertThat(four.isExhausted()).isTrue();
            assertThat(four.attempts()).isEqualTo(4);
        }

        @Test
        void connectBudgetIsSpentOnlyByConnectFailures() {
            Retry r = Retry.builder().total(10).connect(1).build();
            Retry reads = after(r, Kind.READ, 5);
            assertThat(reads.connect()).isEqualTo(1);
            assertThat(reads.total()).isEqualTo(5);
            assertThat(reads.isExhausted()).isFalse();

            assertThat(r.increment(Kind.CONNECT).isExhausted()).isFalse();
            Retry twice = after(r, Kind.CONNECT, 2);
            assertThat(twice.connect()).isEqualTo(-1);
            assertThat(twice.total()).isEqualTo(8);
            assertThat(twice.isExhausted()).isTrue();
        }

        @Test
        void readBudgetIsSpentOnlyByReadFailures() {
            Retry r = Retry.builder().total(10).read(2).build();
            assertThat(after(r, Kind.CONNECT, 4).read()).isEqualTo(2);
            assertThat(after(r, Kind.STATUS, 4).read()).isEqualTo(2);
            assertThat(after(r, Kind.READ, 2).isExhausted()).isFalse();
            assertThat(after(r, Kind.READ, 3).isExhausted()).isTrue();
        }

        @Test
        void statusBudgetIsSpentOnlyByStatusRetries() {
            Retry r = Retry.builder().total(10).status(0).build();
            assertThat(after(r, Kind.READ, 3).isExhausted()).isFalse();
            assertThat(after(r, Kind.CONNECT, 3).status()).isZero();
            Retry once = r.increment(Kind.STATUS);
            assertThat(once.status()).isEqualTo(-1);
            assertThat(once.isExhausted()).isTrue();
        }

        @Test
        void unboundedTotalLeavesTheKindBudgetsInCharge() {
            Retry r = Retry.builder().total(null).connect(2).build();
            Retry reads = after(r, Kind.READ, 50);
            assertThat(reads.total()).isNull();
            assertThat(reads.isExhausted()).isFalse();
            assertThat(after(r, Kind.CONNECT, 2).isExhausted()).isFalse();
            assertThat(after(r, Kind.CONNECT, 3).isExhausted()).isTrue();
        }

        @Test
        void totalZeroAllowsNoRetryAtAll() {
            Retry r = Retry.builder().total(0).build();
            for (Kind kind : Kind.values()) {
                assertThat(r.increment(kind).isExhausted()).as(kind.name()).isTrue();
            }
        }

        @Test
        void remainingDescribesEveryBoundedBudgetForTheLogLine() {
            Retry r = Retry.builder().total(3).connect(2).read(1).status(4).build();
            assertThat(r.remaining()).isEqualTo("total=3, connect=2, read=1, status=4");
            assertThat(r.increment(Kind.READ).remaining()).isEqualTo("total=2, connect=2, read=0, status=4");
            assertThat(Retry.builder().total(null).build().remaining()).isEqualTo("total=unbounded");
            assertThat(Retry.builder().total(5).build().remaining()).isEqualTo("total=5");
        }
    }

    @Nested
    class IsRetry {

        private final Retry forcelist = Retry.builder().statusForcelist(Set.of(500, 503)).build();

        @Test
        void aForcelistStatusIsRetriedForAllowedMethodsOnly() {
            for (String method : new String[] {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
                assertThat(forcelist.isRetry(method, 503, false)).as(method).isTrue();
                assertThat(forcelist.isRetry(method, 500, false)).as(method).isTrue();
            }
            assertThat(forcelist.isRetry("get", 503, false)).as("method compared case-insensitively").isTrue();
        }

        @Test
        void postAndPatchAreNotRetriedByDefault() {
            assertThat(forcelist.isMethodRetryable("POST")).isFalse();
            assertThat(forcelist.isMethodRetryable("PATCH")).isFalse();
            assertThat(forcelist.isRetry("POST", 503, false)).isFalse();
            assertThat(forcelist.isRetry("PATCH", 503, false)).isFalse();
            assertThat(forcelist.isRetry("POST", 503, true)).as("not even with Retry-After").isFalse();
        }

        @Test
        void postIsRetriedWhenAllowedMethodsIncludeIt() {
            Retry r = Retry.builder().statusForcelist(Set.of(503)).allowedMethods(Set.of("post", "GET")).build();
            assertThat(r.allowedMethods()).containsExactlyInAnyOrder("POST", "GET");
            assertThat(r.isRetry("POST", 503, false)).isTrue();
            assertThat(r.isRetry("PUT", 503, false)).as("PUT no longer listed").isFalse();
        }

        @Test
        void statusesOutsideTheForcelistAreNotRetried() {
            assertThat(forcelist.isRetry("GET", 502, false)).isFalse();
            assertThat(forcelist.isRetry("GET", 200, false)).isFalse();
            assertThat(forcelist.isRetry("GET", 404, false)).isFalse();
        }

        @Test
        void retryAfterStatusesAreRetriedWhenTheHeaderIsPresentAndRespected() {
            Retry r = Retry.builder().build();
            for (int status : new int[] {413, 429, 503}) {
                assertThat(r.isRetry("GET", status, true)).as("%d with Retry-After", status).isTrue();
                assertThat(r.isRetry("GET", status, false)).as("%d without Retry-After", status).isFalse();
            }
            assertThat(r.isRetry("GET", 500, true)).as("500 is not a Retry-After status").isFalse();
            assertThat(r.isRetry("GET", 502, true)).isFalse();
        }

        @Test
        void retryAfterIsIgnoredWhenNotRespectedOrWhenTotalIsSpent() {
            assertThat(Retry.builder().respectRetryAfter(false).build().isRetry("GET", 503, true)).isFalse();
            Retry spent = Retry.builder().total(1).build().increment(Kind.STATUS);
            assertThat(spent.total()).isZero();
            assertThat(spent.isRetry("GET", 429, true)).as("urllib3: bool(self.total) is false at 0").isFalse();
        }
    }

    @Nested
    class Backoff {

        @Test
        void firstRetryHasNoBackoffThenFactorTimesTwoToTheNMinusOne() {
            Retry r = Retry.builder().total(10).backoffFactor(Duration.ofMillis(100)).build();
            assertThat(r.backoff()).as("before any retry").isZero();
            assertThat(after(r, Kind.READ, 1).backoff()).as("first retry").isZero();
            assertThat(after(r, Kind.READ, 2).backoff()).isEqualTo(Duration.ofMillis(200));
            assertThat(after(r, Kind.READ, 3).backoff()).isEqualTo(Duration.ofMillis(400));
            assertThat(after(r, Kind.READ, 4).backoff()).isEqualTo(Duration.ofMillis(800));
            assertThat(after(r, Kind.STATUS, 5).backoff()).isEqualTo(Duration.ofMillis(1600));
        }

        @Test
        void zeroFactorNeverSleeps() {
            Retry r = Retry.builder().total(10).build();
            for (int n = 0; n <= 10; n++) {
                assertThat(after(r, Kind.CONNECT, n).backoff()).isZero();
            }
        }

        @Test
        void backoffIsCappedByBackoffMax() {
            Retry r = Retry.builder().total(null).backoffFactor(Duration.ofSeconds(1)).backoffMax(Duration.ofSeconds(3)).build();
            assertThat(after(r, Kind.STATUS, 2).backoff()).isEqualTo(Duration.ofSeconds(2));
            assertThat(after(r, Kind.STATUS, 3).backoff()).as("4s capped").isEqualTo(Duration.ofSeconds(3));
            assertThat(after(r, Kind.STATUS, 40).backoff()).as("no overflow far out").isEqualTo(Duration.ofSeconds(3));
        }

        @Test
        void defaultBackoffMaxIsTwoMinutes() {
            Retry r = Retry.builder().total(null).backoffFactor(Duration.ofSeconds(10)).build();
            assertThat(after(r, Kind.READ, 4).backoff()).isEqualTo(Duration.ofSeconds(80));
            assertThat(after(r, Kind.READ, 5).backoff()).isEqualTo(Duration.ofSeconds(120));
        }

        @Test
        void jitterAddsAtMostBackoffJitterAndStaysUnderTheCap() {
            Retry second = after(Retry.builder().total(10).backoffFactor(Duration.ofMillis(100))
                    .backoffJitter(Duration.ofMillis(50)).build(), Kind.READ, 2);
            boolean sawJitter = false;
            for (int i = 0; i < 500; i++) {
                Duration d = second.backoff();
                assertThat(d).isBetween(Duration.ofMillis(200), Duration.ofMillis(250));
                sawJitter |= !d.equals(Duration.ofMillis(200));
            }
            assertThat(sawJitter).as("jitter actually varies the sleep").isTrue();

            Retry capped = after(Retry.builder().total(10).backoffFactor(Duration.ofMillis(500))
                    .backoffMax(Duration.ofSeconds(1)).backoffJitter(Duration.ofSeconds(5)).build(), Kind.READ, 2);
            for (int i = 0; i < 100; i++) {
                assertThat(capped.backoff()).isEqualTo(Duration.ofSeconds(1));
            }
            assertThat(after(Retry.builder().backoffFactor(Duration.ofMillis(100)).backoffJitter(Duration.ofSeconds(1))
                    .build(), Kind.READ, 1).backoff()).as("first retry stays immediate even with jitter").isZero();
        }
    }

    @Nested
    class RetryAfter {

        private final Retry retry = Retry.builder().backoffMax(Duration.ofSeconds(60)).build();

        @Test
        void secondsAreParsed() {
            assertThat(retry.retryAfter(503, "5")).isEqualTo(Duration.ofSeconds(5));
            assertThat(retry.retryAfter(429, " 7 ")).isEqualTo(Duration.ofSeconds(7));
            assertThat(retry.retryAfter(413, "0")).isZero();
        }

        @Test
        void anHttpDateIsTheWaitUntilThatMoment() {
            String in30s = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
            assertThat(retry.retryAfter(503, in30s)).isBetween(Duration.ofSeconds(27), Duration.ofSeconds(30));

            String past = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
            assertThat(retry.retryAfter(503, past)).as("a date in the past means now").isZero();

            assertThat(Retry.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        }

        @Test
        void theWaitIsCappedAtBackoffMax() {
            assertThat(retry.retryAfter(503, "3600")).isEqualTo(Duration.ofSeconds(60));
            assertThat(retry.retryAfter(503, "99999999999999999999999")).isEqualTo(Duration.ofSeconds(60));
            String tomorrow = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).plusDays(1));
            assertThat(retry.retryAfter(429, tomorrow)).isEqualTo(Duration.ofSeconds(60));
            assertThat(Retry.builder().build().retryAfter(503, "3600")).isEqualTo(Duration.ofSeconds(120));
        }

        @Test
        void onlyRetryAfterStatusesAndValidValuesCount() {
            assertThat(retry.retryAfter(500, "5")).isNull();
            assertThat(retry.retryAfter(200, "5")).isNull();
            assertThat(retry.retryAfter(503, null)).isNull();
            assertThat(retry.retryAfter(503, "soon")).isNull();
            assertThat(retry.retryAfter(503, "-5")).isNull();
            assertThat(retry.retryAfter(503, "1.5")).isNull();
        }

        @Test
        void ignoredWhenRespectRetryAfterIsOff() {
            assertThat(Retry.builder().respectRetryAfter(false).build().retryAfter(503, "5")).isNull();
        }
    }

    @Nested
    class ConnectOnly {

        @Test
        void retriesConnectFailuresUpToN() {
            Retry r = Retry.connectOnly(2);
            assertThat(r.total()).isEqualTo(2);
            assertThat(after(r, Kind.CONNECT, 1).isExhausted()).isFalse();
            assertThat(after(r, Kind.CONNECT, 2).isExhausted()).isFalse();
            assertThat(after(r, Kind.CONNECT, 3).isExhausted()).isTrue();
            assertThat(after(r, Kind.CONNECT, 3).attempts()).isEqualTo(3);
        }

        @Test
        void neverRetriesReadsOrStatuses() {
            Retry r = Retry.connectOnly(5);
            assertThat(r.increment(Kind.READ).isExhausted()).isTrue();
            assertThat(r.increment(Kind.STATUS).isExhausted()).isTrue();
            assertThat(r.increment(Kind.CONNECT).increment(Kind.READ).isExhausted()).isTrue();
            for (int status : new int[] {413, 429, 500, 502, 503, 504}) {
                assertThat(r.isRetry("GET", status, true)).as("status %d", status).isFalse();
            }
            assertThat(r.retryAfter(503, "1")).isNull();
            assertThat(r.statusForcelist()).isEmpty();
        }

        @Test
        void zeroIsNoRetry() {
            assertThat(Retry.connectOnly(0).increment(Kind.CONNECT).isExhausted()).isTrue();
        }
    }
}
