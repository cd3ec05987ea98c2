package io.poolclient.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerTimingTest {

    @Test
    void aNewConnectionReadsAtOnce() {
        assertThat(new AnswerTiming().waitFirst()).isFalse();
    }

    @Test
    void answersThatAreUsuallyLateAreWaitedForAndOneInEightIsStillReadAtOnce() {
        AnswerTiming timing = new AnswerTiming();
        List<Boolean> decisions = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            boolean wait = timing.waitFirst();
            decisions.add(wait);
            if (!wait) {
                timing.readAtOnce(false);
            }
        }
        List<Boolean> steady = decisions.subList(16, 64);
        assertThat(steady.stream().filter(w -> !w).count()).as("reads at once among 48 late answers").isEqualTo(6);
        assertThat(decisions.subList(0, 4)).as("the first reads, before the guess turns").containsOnly(false);
    }

    @Test
    void answersThatComeBackEarlyTurnTheGuessBack() {
        AnswerTiming timing = new AnswerTiming();
        for (int i = 0; i < 10; i++) {
            timing.readAtOnce(false);
        }
        for (int i = 0; i < 7; i++) {
            timing.readAtOnce(true);
        }
        assertThat(timing.waitFirst()).isFalse();
        timing.readAtOnce(false);
        timing.readAtOnce(true);
        assertThat(timing.waitFirst()).as("one late answer among early ones does not turn it").isFalse();
    }

    @Test
    void mostlyEarlyAnswersKeepReadingAtOnce() {
        AnswerTiming timing = new AnswerTiming();
        int waits = 0;
        for (int i = 0; i < 300; i++) {
            if (timing.waitFirst()) {
                waits++;
            }
            else {
                timing.readAtOnce(i % 3 != 0); // two in three answers are there at once
            }
        }
        assertThat(waits).isZero();
    }

    @Test
    void afterYieldingAThirdOfAnswersFoundIsEnoughToKeepReadingAtOnce() {
        AnswerTiming keeps = new AnswerTiming();
        AnswerTiming turns = new AnswerTiming();
        int keepsWaits = 0;
        int turnsWaits = 0;
        for (int i = 0; i < 300; i++) {
            if (keeps.waitFirst()) {
                keepsWaits++;
            }
            else {
                keeps.readAfterYield(i % 5 < 2); // two in five found
            }
            if (turns.waitFirst()) {
                turnsWaits++;
            }
            else {
                turns.readAfterYield(i % 5 == 0); // one in five found
            }
        }
        assertThat(keepsWaits).as("waits with two in five answers found").isZero();
        assertThat(turnsWaits).as("waits with one in five answers found").isGreaterThan(200);
    }
}
