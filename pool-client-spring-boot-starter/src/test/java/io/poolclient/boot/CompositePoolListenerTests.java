package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.pool.HostKey;
import io.poolclient.pool.HostPool;
import io.poolclient.pool.PoolListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every pool event reaches every listener, even past one that throws. */
class CompositePoolListenerTests {

    @Test
    void everyEventReachesEveryListenerPastOneThatThrows() {
        List<String> heard = new ArrayList<>();
        PoolListener failing = new PoolListener() {
            @Override
            public void poolAdded(HostPool pool) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void poolRemoved(HostPool pool, boolean evicted) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void connectionAcquired(HostPool pool, long waitNanos) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void acquireTimedOut(HostPool pool, long waitedNanos) {
                throw new IllegalStateException("boom");
            }
        };
        PoolListener recording = new PoolListener() {
            @Override
            public void poolAdded(HostPool pool) {
                heard.add("added");
            }

            @Override
            public void poolRemoved(HostPool pool, boolean evicted) {
                heard.add("removed evicted=" + evicted);
            }

            @Override
            public void connectionAcquired(HostPool pool, long waitNanos) {
                heard.add("acquired " + waitNanos);
            }

            @Override
            public void acquireTimedOut(HostPool pool, long waitedNanos) {
                heard.add("timed out " + waitedNanos);
            }
        };
        PoolListener both = CompositePoolListener.of(List.of(failing, recording));
        HostPool pool = new HostPool("m", new HostKey("http", "127.0.0.1", 80, null), 1, true, Duration.ofSeconds(30), null,
                false, PoolListener.NONE);

        both.poolAdded(pool);
        both.connectionAcquired(pool, 5);
        both.acquireTimedOut(pool, 7);
        both.poolRemoved(pool, true);

        assertThat(heard).containsExactly("added", "acquired 5", "timed out 7", "removed evicted=true");
    }
}
