package io.poolclient;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The counts of one host pool at one moment (the {@code pools[]} entries of
 * {@code /actuator/httppools}). At a quiet moment {@code opened = idle + leased + discarded + closed}.
 *
 * @param scheme {@code http} or {@code https}
 * @param host normalized host, IPv6 in brackets
 * @param port explicit port
 * @param leased connections handed out now
 * @param idle connections kept for reuse now
 * @param pending callers waiting for a connection now (blocking pools only)
 * @param maxsize {@code pool-maxsize}
 * @param opened connections established
 * @param reused times an idle connection was handed out
 * @param discarded connections closed because the pool was full
 * @param closed every other close
 * @param requests exchanges sent on this pool's connections, retries included
 * @param oldestLeaseMs age of the oldest current lease, 0 when none
 * @param closedReasons the {@code closed} counter broken down by reason (non-zero entries only)
 * @param block {@code pool-block}: whether callers wait when {@code maxsize} connections are leased
 * @param timeouts callers that gave up waiting after {@code pool-timeout}, since the pool was created
 * @param lastTimeoutMsAgo how long ago the last of those {@code timeouts} was, -1 if there was none
 * @param proxy the proxy this pool's connections go through as {@code scheme://host:port} (never with
 *     user-info), {@code null} for direct connections
 * @param protocol {@code h2} once a connection of this pool speaks HTTP/2, else {@code http/1.1}; for
 *     {@code h2} pools {@code leased} counts connections with at least one open stream and
 *     {@code requests} counts streams opened
 * @param activeStreams exchanges in progress now: open streams for {@code h2}, leased connections for
 *     {@code http/1.1}
 * @param maxConcurrentStreams the most exchanges one connection carries at once: the smallest current
 *     stream limit among an {@code h2} pool's connections ({@code max-concurrent-streams} lowered by the
 *     server's), 1 for {@code http/1.1}
 */
public record PoolSnapshot(String scheme, String host, int port, int leased, int idle, int pending, int maxsize,
        long opened, long reused, long discarded, long closed, long requests, long oldestLeaseMs,
        Map<String, Long> closedReasons, boolean block, long timeouts, long lastTimeoutMsAgo,
        @Nullable String proxy, String protocol, int activeStreams, int maxConcurrentStreams) {
}
