package io.poolclient.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JmhSuiteTest {

    @Test
    void aScoreDecidesWhileItsIntervalIsNoWiderThanItself() {
        assertThat(JmhSuite.decided(314.8, 92.5)).isTrue();
        assertThat(JmhSuite.decided(100.0, 100.0)).isTrue();
        assertThat(JmhSuite.decided(238.8, 1430.2)).isFalse();
        assertThat(JmhSuite.decided(100.0, 100.1)).isFalse();
    }

    @Test
    void aSingleMeasurementWithoutIntervalDecides() {
        assertThat(JmhSuite.decided(41.8, Double.NaN)).isTrue();
    }

    @Test
    void aVerdictOnNothingUndecidedIsTheComparison() {
        assertThat(JmhSuite.verdict(true)).isEqualTo("✅");
        assertThat(JmhSuite.verdict(false)).isEqualTo("❌");
        assertThat(JmhSuite.verdict(false, (org.openjdk.jmh.results.Result<?>) null)).isEqualTo("❌");
    }
}
