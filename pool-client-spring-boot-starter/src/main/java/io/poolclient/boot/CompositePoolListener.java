package io.poolclient.boot;

import io.poolclient.pool.HostPool;
import io.poolclient.pool.PoolListener;
import java.util.List;
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
        for (PoolListener l : listeners) {
            try {
                l.poolAdded(pool);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on poolAdded({})", l, pool, ex);
            }
        }
    }

    @Override
    public void poolRemoved(HostPool pool, boolean evicted) {
        for (PoolListener l : listeners) {
            try {
                l.poolRemoved(pool, evicted);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on poolRemoved({})", l, pool, ex);
            }
        }
    }

    @Override
    public void connectionAcquired(HostPool pool, long waitNanos) {
        for (PoolListener l : listeners) {
            try {
                l.connectionAcquired(pool, waitNanos);
            }
            catch (RuntimeException ex) {
                log.warn("Pool listener {} failed on connectionAcquired({})", l, pool, ex);
            }
        }
    }
}
