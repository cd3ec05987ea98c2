package io.poolclient.internal.pool;

import io.poolclient.HostPoolView;
import io.poolclient.MountSettings;
import io.poolclient.PoolListener;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolListeners} on its own: every event reaches every listener in order, past one that
 * throws; a newcomer hears the live pools first; callbacks may add listeners and create pools.
 */
class PoolListenersTest {

    private static HostPoolView pool(String host) {
        MountSettings settings = MountSettings.builder().poolMaxsize(1).poolBlock(true).build()
                .withFallback(MountSettings.BUILT_IN);
        return new HostPool("m", new HostKey("http", host, 80, null), settings, PoolListener.NONE).view();
    }

    @Test
    void everyEventReachesEveryListenerPastOneThatThrows() {
        List<String> heard = new ArrayList<>();
        PoolListener failing = new PoolListener() {
            @Override
            public void poolAdded(HostPoolView pool) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void poolRemoved(HostPoolView pool, boolean evicted) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void connectionAcquired(HostPoolView pool, long waitNanos) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void acquireTimedOut(HostPoolView pool, long waitedNanos) {
                throw new IllegalStateException("boom");
            }
        };
        PoolListeners listeners = new PoolListeners();
        listeners.add(failing);
        listeners.add(new Recorder("r", heard));
        HostPoolView pool = pool("a.test");

        listeners.poolAdded(pool);
        listeners.connectionAcquired(pool, 5);
        listeners.acquireTimedOut(pool, 7);
        listeners.poolRemoved(pool, true);

        assertThat(heard).containsExactly("r added a.test:80", "r acquired a.test:80 5", "r timed out a.test:80 7",
                "r removed a.test:80 evicted=true");
    }

    @Test
    void aNewcomerHearsTheLivePoolsFirstThenEveryLaterEventUntilRemoved() {
        List<String> heard = new ArrayList<>();
        PoolListeners listeners = new PoolListeners();
        HostPoolView a = pool("a.test");
        HostPoolView b = pool("b.test");
        HostPoolView c = pool("c.test");
        listeners.poolAdded(a);
        listeners.poolAdded(b);
        listeners.poolAdded(c);
        listeners.poolRemoved(b, false);

        PoolListener.Registration registration = listeners.add(new Recorder("late", heard));
        assertThat(heard).containsExactly("late added a.test:80", "late added c.test:80");

        listeners.connectionAcquired(a, 0);
        listeners.poolRemoved(a, true);
        registration.close();
        registration.close();
        listeners.poolRemoved(c, false);
        listeners.connectionAcquired(c, 0);

        assertThat(heard).containsExactly("late added a.test:80", "late added c.test:80", "late acquired a.test:80 0",
                "late removed a.test:80 evicted=true");
    }

    @Test
    void addingARegisteredListenerAgainChangesNothing() {
        List<String> heard = new ArrayList<>();
        Recorder recorder = new Recorder("r", heard);
        PoolListeners listeners = PoolListeners.of(recorder);
        HostPoolView a = pool("a.test");
        listeners.poolAdded(a);

        listeners.add(recorder).close();
        listeners.connectionAcquired(a, 3);

        assertThat(heard).containsExactly("r added a.test:80", "r acquired a.test:80 3");
    }

    @Test
    void aListenerAddedOrAPoolCreatedByACallbackStillHearsEachPoolOnceInOrder() {
        List<String> heard = new ArrayList<>();
        PoolListeners listeners = new PoolListeners();
        Recorder second = new Recorder("second", heard);
        HostPoolView a = pool("a.test");
        HostPoolView b = pool("b.test");
        listeners.add(new PoolListener() {
            @Override
            public void poolAdded(HostPoolView pool) {
                if (pool == a) {
                    listeners.add(second);
                    listeners.poolAdded(b); // delivered once this event is done
                }
            }
        });

        listeners.poolAdded(a);
        listeners.poolRemoved(a, false);

        assertThat(heard).containsExactly("second added a.test:80", "second added b.test:80",
                "second removed a.test:80 evicted=false");
    }

    /** Writes what it hears, prefixed with its name. */
    static final class Recorder implements PoolListener {

        private final String name;
        private final List<String> heard;

        Recorder(String name, List<String> heard) {
            this.name = name;
            this.heard = heard;
        }

        @Override
        public void poolAdded(HostPoolView pool) {
            heard.add(name + " added " + pool.hostPort());
        }

        @Override
        public void poolRemoved(HostPoolView pool, boolean evicted) {
            heard.add(name + " removed " + pool.hostPort() + " evicted=" + evicted);
        }

        @Override
        public void connectionAcquired(HostPoolView pool, long waitNanos) {
            heard.add(name + " acquired " + pool.hostPort() + " " + waitNanos);
        }

        @Override
        public void acquireTimedOut(HostPoolView pool, long waitedNanos) {
            heard.add(name + " timed out " + pool.hostPort() + " " + waitedNanos);
        }
    }
}
