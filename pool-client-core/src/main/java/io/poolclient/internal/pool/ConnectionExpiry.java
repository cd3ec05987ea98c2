package io.poolclient.internal.pool;

import io.poolclient.MountSettings;
import java.time.Duration;

/**
 * When a pooled connection may no longer be reused: past the server's {@code Keep-Alive: timeout=},
 * past {@code max-lifetime}, idle for {@code idle-timeout}, or found stale by the transport's
 * non-blocking probe. Each check returns the {@link CloseReason} to close the connection with, or
 * {@code null} when it may be reused.
 *
 * <p><b>Concurrency contract.</b> Immutable. The checks read a connection's times, so call them
 * where those are stable: with the pool's lock held, or for a connection the caller owns (just
 * taken from the idle stack or handed over).
 */
final class ConnectionExpiry {

    private final long idleTimeoutNanos;
    private final long maxLifetimeNanos;

    /**
     * @param settings {@code idle-timeout} (zero or unset: idle connections are kept until the
     *     server's keep-alive says otherwise) and {@code max-lifetime} (zero or unset: no limit)
     */
    ConnectionExpiry(MountSettings settings) {
        this.idleTimeoutNanos = nanosOrNoLimit(settings.idleTimeout());
        this.maxLifetimeNanos = nanosOrNoLimit(settings.maxLifetime());
    }

    private static long nanosOrNoLimit(Duration d) {
        return d == null || d.isZero() ? Long.MAX_VALUE : d.toNanos();
    }

    /** Past the server's keep-alive or the connection's lifetime (no I/O): checked when it is returned. */
    CloseReason expired(PooledConnection c, long now) {
        if (c.keepAliveDeadlineNanos() != Long.MAX_VALUE && now - c.keepAliveDeadlineNanos() >= 0) {
            return CloseReason.IDLE_TIMEOUT;
        }
        if (now - c.createdNanos() >= maxLifetimeNanos) {
            return CloseReason.MAX_LIFETIME;
        }
        return null;
    }

    /** As {@link #expired}, and idle since it was last returned for {@code idle-timeout} (no I/O). */
    CloseReason expiredWhileIdle(PooledConnection c, long now) {
        CloseReason expired = expired(c, now);
        if (expired == null && now - c.lastReturnedNanos() >= idleTimeoutNanos) {
            return CloseReason.IDLE_TIMEOUT;
        }
        return expired;
    }

    /** As {@link #expiredWhileIdle}, then the transport's stale probe: checked on checkout. */
    CloseReason unusable(PooledConnection c, long now) {
        CloseReason expired = expiredWhileIdle(c, now);
        if (expired != null) {
            return expired;
        }
        return c.transport().isStale() ? CloseReason.STALE : null;
    }
}
