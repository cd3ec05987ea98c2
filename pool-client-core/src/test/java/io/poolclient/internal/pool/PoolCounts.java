package io.poolclient.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolSnapshot;

/** The pool stress tests' check that a pool's counts add up once its callers are done. */
final class PoolCounts {

    private PoolCounts() {
    }

    /**
     * Nothing leased or waiting, every connection opened accounted for
     * ({@code opened = idle + leased + discarded + closed}), and the pool's count of opened connections
     * equal to {@code openedElsewhere}: what the (fake or real) network underneath counted.
     */
    static void assertAddsUp(PoolSnapshot s, long openedElsewhere) {
        assertThat(s.leased()).as("leased: %s", s).isZero();
        assertThat(s.pending()).as("pending: %s", s).isZero();
        assertThat(s.opened()).as("opened = idle + leased + discarded + closed: %s", s)
                .isEqualTo(s.idle() + s.leased() + s.discarded() + s.closed());
        assertThat(s.opened()).as("opened, as the network underneath counted them: %s", s).isEqualTo(openedElsewhere);
    }
}
