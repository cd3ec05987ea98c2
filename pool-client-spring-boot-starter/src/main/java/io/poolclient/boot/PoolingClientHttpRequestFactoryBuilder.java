package io.poolclient.boot;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Redirects;
import io.poolclient.RequestOptions;
import io.poolclient.TlsConfig;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.ssl.SslBundle;

/**
 * The {@link ClientHttpRequestFactoryBuilder} that Spring Boot's auto-configured
 * {@code RestClient.Builder}, {@code RestTemplateBuilder}, HTTP service groups and
 * {@code RestClientSsl} call. Every {@link #build(HttpClientSettings)} returns a cheap
 * {@link PoolingClientHttpRequestFactory} view over the one shared {@link PoolClient}.
 *
 * <p>The settings handed to {@code build} are split key by key: a value equal to the global
 * {@code spring.http.clients.*} one is global and ranks below {@code pool-client.defaults}; a value
 * that differs was aimed at this client ({@code RestClientSsl.fromBundle(..)},
 * {@code RestTemplateBuilder.readTimeout(..)}, {@code spring.http.serviceclient.<group>.*}) and
 * ranks above {@code pool-client.defaults}, below the mount's own value.
 *
 * <p>Mapped: connect and read timeouts, redirects ({@code follow-when-possible} means follow), the
 * SSL bundle and the {@link InetAddressFilter}. Cookie handling {@code enable} is refused with an
 * {@link IllegalStateException}: the engine keeps no cookies ({@code enable-when-possible} is fine).
 * Thread-safe and stateless apart from the shared engine.
 */
public final class PoolingClientHttpRequestFactoryBuilder
        implements ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory> {

    private final PoolClient client;
    private final SslBundleTlsConfigs tls;
    private final HttpClientSettings global;

    /** A builder that treats every setting handed to it as per-client. */
    public PoolingClientHttpRequestFactoryBuilder(PoolClient client, SslBundleTlsConfigs tls) {
        this(client, tls, null);
    }

    /**
     * @param global the application-wide {@code spring.http.clients.*} settings, or {@code null} for none
     */
    public PoolingClientHttpRequestFactoryBuilder(PoolClient client, SslBundleTlsConfigs tls,
            @Nullable HttpClientSettings global) {
        this.client = client;
        this.tls = tls;
        this.global = global == null ? new HttpClientSettings(null, null, null, null) : global;
    }

    @Override
    public PoolingClientHttpRequestFactory build(HttpClientSettings settings) {
        return new PoolingClientHttpRequestFactory(client, options(settings));
    }

    /** The engine every factory of this builder sends through. */
    public PoolClient getPoolClient() {
        return client;
    }

    /**
     * @throws IllegalStateException when the settings ask for cookie handling, which the engine cannot do
     */
    static void refuseCookieHandling(@Nullable HttpClientSettings settings, String property) {
        if (settings != null && settings.cookieHandling() == HttpCookieHandling.ENABLE) {
            throw new IllegalStateException(property + " is 'enable' but pool-client keeps no cookies: remove it, set it "
                    + "to 'enable-when-possible' or 'disable', or choose a request factory that handles cookies "
                    + "(spring.http.clients.imperative.factory, which turns pool-client off)");
        }
    }

    private RequestOptions options(HttpClientSettings settings) {
        MountSettings globals = MountSettings.builder().connectTimeout(global.connectTimeout())
                .readTimeout(global.readTimeout()).redirects(redirects(global.redirects()))
                .tls(tlsConfig(global.sslBundle())).build();
        if (settings == null) {
            return RequestOptions.NONE.withGlobals(globals);
        }
        refuseCookieHandling(settings, "The cookie handling of a client's HttpClientSettings");
        InetAddressFilter filter = settings.inetAddressFilter();
        Predicate<InetAddress> addressFilter = filter == null ? null : filter::matches;
        return new RequestOptions(perClient(settings.connectTimeout(), global.connectTimeout()),
                perClient(settings.readTimeout(), global.readTimeout()),
                redirects(perClient(settings.redirects(), global.redirects())),
                tlsConfig(perClient(settings.sslBundle(), global.sslBundle())), addressFilter).withGlobals(globals);
    }

    /** The client's value when it differs from the global one; {@code null} when it is the global value. */
    private static <T> @Nullable T perClient(@Nullable T value, @Nullable T globalValue) {
        return Objects.equals(value, globalValue) ? null : value;
    }

    private @Nullable TlsConfig tlsConfig(@Nullable SslBundle bundle) {
        return bundle == null ? null : tls.of(bundle);
    }

    private static @Nullable Redirects redirects(@Nullable HttpRedirects redirects) {
        if (redirects == null) {
            return null;
        }
        return redirects == HttpRedirects.DONT_FOLLOW ? Redirects.DONT_FOLLOW : Redirects.FOLLOW;
    }
}
