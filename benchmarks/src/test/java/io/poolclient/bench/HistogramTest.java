package io.poolclient.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void smallValuesAreExact() {
        Histogram h = new Histogram();
        for (int v = 1; v <= 50; v++) {
            h.record(v);
        }
        assertThat(h.count()).isEqualTo(50);
        assertThat(h.quantile(0.5)).isEqualTo(25);
        assertThat(h.quantile(1.0)).isEqualTo(50);
    }

    @Test
    void largeValuesAreWithinTwoPercent() {
        Histogram h = new Histogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1_000); // 1 µs .. 100 ms
        }
        assertThat((double) h.quantile(0.50)).isCloseTo(50_000_000, within(50_000_000 * 0.02));
        assertThat((double) h.quantile(0.99)).isCloseTo(99_000_000, within(99_000_000 * 0.02));
        assertThat(h.quantile(1.0)).isLessThanOrEqualTo(h.max());
    }

    @Test
    void bucketsCoverEveryLongAndRoundTrip() {
        for (long v : new long[] {0, 63, 64, 65, 127, 128, 1_000_000, Long.MAX_VALUE}) {
            int i = Histogram.index(v);
            long mid = Histogram.middle(i);
            assertThat(Histogram.index(mid)).isEqualTo(i);
        }
    }

    @Test
    void mergeAddsCounts() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        a.record(10);
        b.record(1_000);
        b.record(2_000);
        a.add(b);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.max()).isEqualTo(2_000);
    }
}
