package io.poolclient.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Aggregator;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.util.ListStatistics;

class JmhSuiteTest {

    /** A result of the given iteration scores, as JMH reports one (mean and 99.9 % half-width). */
    static final class Measured extends Result<Measured> {

        Measured(double... scores) {
            super(ResultRole.PRIMARY, "test", new ListStatistics(scores), "ns/op", AggregationPolicy.AVG);
        }

        @Override
        protected Aggregator<Measured> getThreadAggregator() {
            throw new UnsupportedOperationException();
        }

        @Override
        protected Aggregator<Measured> getIterationAggregator() {
            throw new UnsupportedOperationException();
        }
    }

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
        assertThat(JmhSuite.verdict(false, (Result<?>) null)).isEqualTo("❌");
        assertThat(JmhSuite.verdict(true, new Measured(100, 101, 99))).isEqualTo("✅");
        assertThat(JmhSuite.verdict(false, new Measured(100, 101, 99), new Measured(41.8))).isEqualTo("❌");
    }

    @Test
    void aVerdictRestingOnAnUndecidedResultIsLeftOpen() {
        Measured undecided = new Measured(20, 700, 5);
        assertThat(JmhSuite.decided(undecided.getScore(), undecided.getScoreError())).isFalse();
        assertThat(JmhSuite.verdict(true, undecided)).isEqualTo("❓");
        assertThat(JmhSuite.verdict(false, new Measured(100, 101, 99), undecided)).isEqualTo("❓");
    }
}
