package io.poolclient.boot.health;

import io.poolclient.ClientSnapshot;
import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code httppools} health indicator. It reports how busy the pools are, never whether the
 * upstreams are up: it opens no connection and is {@code UP} whenever the engine is open, however
 * busy its pools ({@code OUT_OF_SERVICE} only once the engine is closed, i.e. during shutdown).
 *
 * <p>Details:
 * <ul>
 * <li>{@code mounts}: number of mounts (implicit ones included);</li>
 * <li>{@code pools}: number of host pools now;</li>
 * <li>{@code leased}, {@code idle}, {@code pending}: totals over every pool;</li>
 * <li>{@code saturated}: the pools that cannot serve a newcomer at once, each with {@code mount},
 * {@code host} ({@code host:port}), {@code scheme}, {@code leased}, {@code idle}, {@code pending},
 * {@code maxsize}, {@code block}, {@code poolTimeouts} (callers that gave up after
 * {@code pool-timeout}, since the pool was created), {@code lastPoolTimeoutMsAgo} (-1 if none),
 * {@code protocol} and {@code activeStreams} (exchanges in progress).
 * A pool is saturated when callers are waiting for it ({@code pending > 0}), when, with
 * {@code pool-block}, all {@code maxsize} connections are leased with no stream to spare (an
 * HTTP/1.1 connection carries one exchange; an HTTP/2 one up to {@code maxConcurrentStreams}, the
 * smallest limit among the pool's connections), or when a caller timed out
 * waiting within the last {@link #RECENT_TIMEOUT_MS} ms. A non-blocking pool never makes callers
 * wait (it opens connections past {@code maxsize} instead), so it is listed only if callers are
 * waiting.</li>
 * </ul>
 */
public class HttpPoolsHealthIndicator implements HealthIndicator {

    /** A pool timeout this recent keeps a pool in the {@code saturated} list. */
    public static final long RECENT_TIMEOUT_MS = 60_000;

    private final PoolClient client;

    public HttpPoolsHealthIndicator(PoolClient client) {
        this.client = client;
    }

    @Override
    public Health health() {
        Health.Builder builder = client.isClosed() ? Health.outOfService() : Health.up();
        int pools = 0;
        long leased = 0;
        long idle = 0;
        long pending = 0;
        List<Map<String, Object>> saturated = new ArrayList<>();
        ClientSnapshot snapshot = client.snapshot();
        for (MountSnapshot mount : snapshot.mounts()) {
            for (PoolSnapshot pool : mount.pools()) {
                pools++;
                leased += pool.leased();
                idle += pool.idle();
                pending += pool.pending();
                long sinceTimeout = pool.lastTimeoutMsAgo();
                boolean recentTimeout = sinceTimeout >= 0 && sinceTimeout < RECENT_TIMEOUT_MS;
                if (pool.pending() > 0 || (pool.block() && allStreamsTaken(pool)) || recentTimeout) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("mount", mount.name());
                    entry.put("host", pool.host() + ":" + pool.port());
                    entry.put("scheme", pool.scheme());
                    entry.put("leased", pool.leased());
                    entry.put("idle", pool.idle());
                    entry.put("pending", pool.pending());
                    entry.put("maxsize", pool.maxsize());
                    entry.put("block", pool.block());
                    entry.put("poolTimeouts", pool.timeouts());
                    entry.put("lastPoolTimeoutMsAgo", sinceTimeout);
                    entry.put("protocol", pool.protocol());
                    entry.put("activeStreams", pool.activeStreams());
                    saturated.add(entry);
                }
            }
        }
        return builder.withDetail("mounts", snapshot.mounts().size())
                .withDetail("pools", pools)
                .withDetail("leased", leased)
                .withDetail("idle", idle)
                .withDetail("pending", pending)
                .withDetail("saturated", saturated)
                .build();
    }

    private static boolean allStreamsTaken(PoolSnapshot pool) {
        return pool.leased() >= pool.maxsize()
                && pool.activeStreams() >= (long) pool.leased() * Math.max(1, pool.maxConcurrentStreams());
    }
}
