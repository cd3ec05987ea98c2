package io.poolclient.spring;

import java.time.Duration;

/**
 * Names of Spring request attributes that {@link PoolingClientHttpRequestFactory} reads as
 * settings for one request. They beat every other source (the mount, the client's settings,
 * {@code pool-client.defaults}, {@code spring.http.clients.*}) for that request only:
 *
 * <pre>{@code
 * restClient.get().uri("https://api.example/report")
 *         .attribute(PoolClientAttributes.READ_TIMEOUT, Duration.ofMinutes(2))
 *         .attribute(PoolClientAttributes.RETRY, Boolean.FALSE)
 *         .retrieve().body(String.class);
 * }</pre>
 *
 * A value of the wrong type fails the request with an {@link IllegalArgumentException} naming the
 * attribute; a negative duration too.
 */
public final class PoolClientAttributes {

    /** Read timeout of this request, a {@link Duration}. */
    public static final String READ_TIMEOUT = "io.poolclient.read-timeout";

    /** Connect timeout of this request, a {@link Duration}. */
    public static final String CONNECT_TIMEOUT = "io.poolclient.connect-timeout";

    /**
     * {@link Boolean#FALSE}: no retries for this request, whatever the mount's retry policy. The
     * transparent retry of an idempotent request whose reused connection turned out closed by the
     * server still happens: it is a retry of the pool's, not of the request. {@link Boolean#TRUE}
     * changes nothing.
     */
    public static final String RETRY = "io.poolclient.retry";

    private PoolClientAttributes() {
    }
}
