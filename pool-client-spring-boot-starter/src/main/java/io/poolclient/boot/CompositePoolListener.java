package io.poolclient.boot;

import io.poolclient.pool.HostPool;
import io.poolclient.pool.PoolListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every pool event to each {@link PoolListener} bean of the context (metrics, say), in order.
 * A listener that throws is logged and skipped so that the others still hear the event. Immutable.
 */
final class CompositePoolListener implements PoolListener {

    private static final Logger log = LoggerFactory.getLogger(CompositePoolListener.class);

    private final List<PoolListener> listeners;

    private CompositePoolListener(List<PoolListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** One listener for all of them; {@link PoolListener#NONE} when there are none. */
    static PoolListener of(List<PoolListener> listeners) {
        if (listeners.isEmpty()) {
            return PoolListener.NONE;
        }
        return listeners.size() == 1 ? listeners.get(0) : new CompositePoolListener(listeners);
    }

    @Override
    public void poolAdded(HostPool pool) {
        each("poolAdded", pool, l -> l.poolAdded(pool));
    }

    @Override
    public void poolRemoved(HostPool pool, boolean evicted) {
        each("poolRemoved", pool, l -> l.poolRemoved(pool, evicted));
    }

    @Override
    public void connectionAcquired(HostPool pool, long waitNanos) {
        each("connectionAcquired", pool, l -> l.connectionAcquired(pool, waitNanos));
    }

    @Override
    public void acquireTimedOut(HostPool pool, long waitedNanos) {
        each("acquireTimedOut", pool, l -> l.acquireTimedOut(pool, waitedNanos));
    }

    /** Tells every listener; one that throws is logged and does not stop the others. */
    private void each(String event, HostPool pool, Consumer<PoolListener> call) {
        for (PoolListener l : listeners) {
            try {
                call.accept(l);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on {}({})", l, event, pool, ex);
            }
        }
    }
}
