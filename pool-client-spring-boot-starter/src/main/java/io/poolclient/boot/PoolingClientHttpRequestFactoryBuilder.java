package io.poolclient.boot;

import io.poolclient.PoolClient;
import io.poolclient.Redirects;
import io.poolclient.RequestOptions;
import io.poolclient.TlsConfig;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.net.InetAddress;
import java.util.function.Predicate;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.InetAddressFilter;

/**
 * The {@link ClientHttpRequestFactoryBuilder} that Spring Boot's auto-configured
 * {@code RestClient.Builder}, {@code RestTemplateBuilder}, HTTP service groups and
 * {@code RestClientSsl} call. Every {@link #build(HttpClientSettings)} returns a cheap
 * {@link PoolingClientHttpRequestFactory} view over the one shared {@link PoolClient}; the settings
 * become that view's {@link RequestOptions}, which apply only where the mount and
 * {@code pool-client.defaults} leave a key unset ({@code pool-client.*} beats {@code spring.http.*}).
 *
 * <p>Mapped: connect and read timeouts, redirects ({@code follow-when-possible} means follow),
 * the SSL bundle and the {@link InetAddressFilter}. Cookie handling is not supported by the engine
 * and is ignored. Thread-safe and stateless apart from the shared engine.
 */
public final class PoolingClientHttpRequestFactoryBuilder
        implements ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory> {

    private final PoolClient client;
    private final SslBundleTlsConfigs tls;

    public PoolingClientHttpRequestFactoryBuilder(PoolClient client, SslBundleTlsConfigs tls) {
        this.client = client;
        this.tls = tls;
    }

    @Override
    public PoolingClientHttpRequestFactory build(HttpClientSettings settings) {
        return new PoolingClientHttpRequestFactory(client, options(settings));
    }

    /** The engine every factory of this builder sends through. */
    public PoolClient getPoolClient() {
        return client;
    }

    private RequestOptions options(HttpClientSettings settings) {
        if (settings == null) {
            return RequestOptions.NONE;
        }
        TlsConfig tlsConfig = settings.sslBundle() == null ? null : tls.of(settings.sslBundle());
        InetAddressFilter filter = settings.inetAddressFilter();
        Predicate<InetAddress> addressFilter = filter == null ? null : filter::matches;
        return new RequestOptions(settings.connectTimeout(), settings.readTimeout(), redirects(settings.redirects()),
                tlsConfig, addressFilter);
    }

    private static Redirects redirects(HttpRedirects redirects) {
        if (redirects == null) {
            return null;
        }
        return redirects == HttpRedirects.DONT_FOLLOW ? Redirects.DONT_FOLLOW : Redirects.FOLLOW;
    }
}
