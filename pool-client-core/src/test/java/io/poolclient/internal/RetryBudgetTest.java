package io.poolclient.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The window arithmetic of {@link RetryBudget}, on a clock the test moves. */
@Timeout(60)
class RetryBudgetTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final long TENTH = WINDOW.toNanos() / 10;

    private final AtomicLong clock = new AtomicLong(1_000 * TENTH);

    private RetryBudget budget(double percent, int minPerSecond) {
        return new RetryBudget(percent, minPerSecond, WINDOW, clock::get);
    }

    private static int grantedOf(RetryBudget budget, int asked) {
        int granted = 0;
        for (int i = 0; i < asked; i++) {
            if (budget.tryRetry()) {
                granted++;
            }
        }
        return granted;
    }

    private static void requests(RetryBudget budget, int n) {
        for (int i = 0; i < n; i++) {
            budget.requestMade();
        }
    }

    @Test
    void withoutRequestsTheFloorIsMinPerSecondTimesWindowSeconds() {
        RetryBudget budget = budget(20, 3);
        assertThat(grantedOf(budget, 100)).isEqualTo(30);
    }

    @Test
    void percentOfTheRequestsComesOnTopOfTheFloor() {
        RetryBudget budget = budget(20, 1);
        requests(budget, 100);
        assertThat(grantedOf(budget, 100)).isEqualTo(10 + 20);
    }

    @Test
    void withoutFloorOnlyThePercentCounts() {
        RetryBudget budget = budget(10, 0);
        assertThat(budget.tryRetry()).isFalse();
        requests(budget, 9);
        assertThat(budget.tryRetry()).as("0.9 retries allowed").isFalse();
        budget.requestMade();
        assertThat(grantedOf(budget, 5)).isEqualTo(1);
    }

    @Test
    void refusedRetriesAreNotCounted() {
        RetryBudget budget = budget(50, 0);
        requests(budget, 2);
        assertThat(grantedOf(budget, 10)).isEqualTo(1);
        requests(budget, 2);
        assertThat(grantedOf(budget, 10)).as("refusals did not use up the new allowance").isEqualTo(1);
    }

    @Test
    void retriesAndRequestsLeaveTheWindowAfterItHasPassed() {
        RetryBudget budget = budget(0, 1);
        assertThat(grantedOf(budget, 20)).isEqualTo(10);

        clock.addAndGet(5 * TENTH);
        assertThat(budget.tryRetry()).as("half a window later every retry still counts").isFalse();

        clock.addAndGet(4 * TENTH);
        assertThat(budget.tryRetry()).as("nine tenths later they still count").isFalse();

        clock.addAndGet(TENTH);
        assertThat(grantedOf(budget, 20)).as("a whole window later none counts").isEqualTo(10);
    }

    @Test
    void theWindowSlidesTenthByTenth() {
        RetryBudget budget = budget(0, 1);
        assertThat(grantedOf(budget, 4)).isEqualTo(4);
        clock.addAndGet(3 * TENTH);
        assertThat(grantedOf(budget, 20)).isEqualTo(6);
        clock.addAndGet(7 * TENTH);
        assertThat(grantedOf(budget, 20)).as("the first four left the window").isEqualTo(4);
        clock.addAndGet(3 * TENTH);
        assertThat(grantedOf(budget, 20)).as("the six left it as well").isEqualTo(6);
    }

    @Test
    void requestsOutsideTheWindowNoLongerAllowRetries() {
        RetryBudget budget = budget(100, 0);
        requests(budget, 5);
        clock.addAndGet(10 * TENTH);
        assertThat(budget.tryRetry()).isFalse();
        requests(budget, 1);
        assertThat(grantedOf(budget, 3)).isEqualTo(1);
    }

    @Test
    void aClockWithNegativeTicksWorksAsWell() {
        clock.set(-3 * TENTH - 1);
        RetryBudget budget = budget(0, 1);
        assertThat(grantedOf(budget, 20)).isEqualTo(10);
        clock.addAndGet(10 * TENTH);
        assertThat(grantedOf(budget, 20)).isEqualTo(10);
    }

    @Test
    void aPolicyWithoutBudgetAllowsEveryRetry() {
        RetryBudget budget = RetryBudget.of(Retry.builder().total(3).build());
        for (int i = 0; i < 10_000; i++) {
            assertThat(budget.tryRetry()).isTrue();
        }
        RetryBudget limited = RetryBudget.of(Retry.builder().budgetPercent(0.0).budgetMinPerSecond(0).build());
        assertThat(limited.tryRetry()).isFalse();
    }

    @Test
    void retrySettingsAreValidated() {
        assertThatThrownBy(() -> Retry.builder().budgetPercent(-1.0)).hasMessageContaining("retry.budget-percent");
        assertThatThrownBy(() -> Retry.builder().budgetPercent(Double.NaN)).hasMessageContaining("retry.budget-percent");
        assertThatThrownBy(() -> Retry.builder().budgetMinPerSecond(-1)).hasMessageContaining("retry.budget-min-per-second");
        assertThatThrownBy(() -> Retry.builder().budgetWindow(Duration.ofMillis(999)))
                .hasMessageContaining("retry.budget-window");
        Retry retry = Retry.builder().budgetPercent(25.0).build();
        assertThat(retry.budgetMinPerSecond()).isEqualTo(10);
        assertThat(retry.budgetWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(retry.toBuilder().build().budgetPercent()).isEqualTo(25.0);
        assertThat(retry.increment(Retry.Kind.READ).hasBudget()).isTrue();
        assertThat(Retry.builder().build().hasBudget()).isFalse();
    }

    /**
     * Many threads ask for retries while others count requests: the grants never exceed what the
     * requests allow, grants and refusals add up to the questions, and once every request is counted
     * the budget hands out exactly what is left.
     */
    @Test
    void underManyThreadsTheCountsAddUp() throws Exception {
        RetryBudget budget = budget(10, 2); // floor 20
        int threads = 16;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean requester = t % 2 == 0;
                results.add(pool.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    long granted = 0;
                    long refused = 0;
                    for (int i = 0; i < perThread; i++) {
                        if (requester) {
                            budget.requestMade();
                        }
                        else if (budget.tryRetry()) {
                            granted++;
                        }
                        else {
                            refused++;
                        }
                    }
                    return new long[] { granted, refused };
                }));
            }
            go.countDown();
            long granted = 0;
            long refused = 0;
            for (Future<long[]> f : results) {
                long[] r = f.get(30, TimeUnit.SECONDS);
                granted += r[0];
                refused += r[1];
            }
            long requests = (long) (threads / 2) * perThread;
            long allowed = 20 + requests / 10;
            assertThat(granted + refused).isEqualTo((long) (threads / 2) * perThread);
            assertThat(granted).isLessThanOrEqualTo(allowed);
            assertThat(grantedOf(budget, 10_000)).as("what is left once every request is in")
                    .isEqualTo((int) (allowed - granted));
        }
        finally {
            pool.shutdownNow();
        }
    }
}
