package io.poolclient.spring;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.RequestOptions;
import java.net.URI;
import java.util.Objects;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.jspecify.annotations.Nullable;

/**
 * A Spring {@link ClientHttpRequestFactory} over a shared {@link PoolClient}: a cheap view that owns
 * nothing, so any number of them (one per {@code RestClient}, say, each with its own
 * {@link RequestOptions} fallbacks) share the one engine and its pools. Closing the engine is the
 * job of whoever built it. Thread-safe.
 *
 * <pre>{@code
 * PoolClient pools = PoolClient.builder()
 *         .mount("payments", "https://api.payments.example/", MountSettings.builder().poolMaxsize(50).build())
 *         .build();
 * RestClient client = RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(pools)).build();
 * }</pre>
 */
public class PoolingClientHttpRequestFactory implements ClientHttpRequestFactory {

    private final PoolClient client;
    private final RequestOptions options;

    public PoolingClientHttpRequestFactory(PoolClient client) {
        this(client, RequestOptions.NONE);
    }

    /**
     * @param options fallbacks for keys the mounts leave unset (Spring Boot's per-client settings)
     */
    public PoolingClientHttpRequestFactory(PoolClient client, @Nullable RequestOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        this.options = options == null ? RequestOptions.NONE : options;
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
        return new PoolingClientHttpRequest(client, options, uri, httpMethod);
    }

    /** The engine this factory sends through. */
    public PoolClient getPoolClient() {
        return client;
    }

    /** The per-client fallbacks of this view. */
    public RequestOptions getOptions() {
        return options;
    }

    /** Another view over the same engine with other fallbacks. */
    public PoolingClientHttpRequestFactory withOptions(RequestOptions options) {
        return new PoolingClientHttpRequestFactory(client, options);
    }
}
