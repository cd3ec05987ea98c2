package io.poolclient.boot;

import io.poolclient.PoolClient;
import io.poolclient.PoolListener;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Auto-configuration of pool-client: one shared {@link PoolClient} built from
 * {@code pool-client.*} and a {@link ClientHttpRequestFactoryBuilder} over it, registered before
 * Spring Boot's {@link ImperativeHttpClientAutoConfiguration} so that the auto-configured
 * {@code RestClient.Builder}, {@code RestTemplateBuilder}, HTTP service groups and
 * {@code RestClientSsl} all send through the pools. Backs off fully (no engine, hence no endpoint,
 * meters or health for one) when the application defines its own {@link ClientHttpRequestFactoryBuilder}
 * or sets {@code spring.http.clients.imperative.factory} ({@link PoolClientTakeOverCondition}); with
 * {@code pool-client.enabled=false} nothing is created. {@code spring.http.clients.cookie-handling:
 * enable} fails the context: the engine keeps no cookies.
 */
@AutoConfiguration(before = ImperativeHttpClientAutoConfiguration.class,
        after = { SslAutoConfiguration.class, HttpClientAutoConfiguration.class })
@ConditionalOnClass({ PoolClient.class, ClientHttpRequestFactory.class, ClientHttpRequestFactoryBuilder.class })
@ConditionalOnBooleanProperty(name = "pool-client.enabled", matchIfMissing = true)
@Conditional(PoolClientTakeOverCondition.class)
@EnableConfigurationProperties(PoolClientProperties.class)
public final class PoolClientAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SslBundleTlsConfigs poolClientTlsConfigs(ObjectProvider<SslBundles> sslBundles) {
        return new SslBundleTlsConfigs(sslBundles.getIfAvailable());
    }

    /**
     * The engine. Every {@link PoolListener} bean hears its pool events, in bean order (a listener
     * that throws is logged and skipped). The starter's own meters attach themselves to whatever
     * engine is in the context, so they do not rely on this. A mount whose {@code ssl-bundle} is
     * reloaded switches to the new material ({@link SslBundleReloads}). Every
     * {@link PoolClientBuilderCustomizer} bean adjusts the builder first, in order. Invalid properties
     * fail the context with an {@link IllegalArgumentException} naming the property.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    PoolClient poolClient(PoolClientProperties properties, SslBundleTlsConfigs tlsConfigs,
            ObjectProvider<PoolListener> listeners, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<PoolClientBuilderCustomizer> customizers) {
        PoolClient.Builder builder = new PoolClientPropertiesMapper(tlsConfigs).builder(properties);
        customizers.orderedStream().forEach(c -> c.customize(builder));
        PoolClient client = builder.build();
        listeners.orderedStream().forEach(client::addListener);
        SslBundles bundles = sslBundles.getIfAvailable();
        if (bundles != null) {
            SslBundleReloads.follow(client, properties, bundles, tlsConfigs);
        }
        return client;
    }

    @Bean
    @ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
    ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory> poolingClientHttpRequestFactoryBuilder(
            PoolClient poolClient, SslBundleTlsConfigs tlsConfigs,
            ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers,
            ObjectProvider<HttpClientSettings> globalSettings) {
        HttpClientSettings global = globalSettings.getIfAvailable(HttpClientSettings::defaults);
        PoolingClientHttpRequestFactoryBuilder.refuseCookieHandling(global, "spring.http.clients.cookie-handling");
        ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory> builder =
                new PoolingClientHttpRequestFactoryBuilder(poolClient, tlsConfigs, global);
        return customize(builder, customizers.orderedStream().toList());
    }

    /**
     * Shuts the engine down gracefully when the context stops, giving exchanges in flight the shutdown
     * phase's timeout ({@code spring.lifecycle.timeout-per-shutdown-phase}, 30s unless set).
     */
    @Bean
    @ConditionalOnMissingBean
    PoolClientLifecycle poolClientLifecycle(PoolClient poolClient, Environment environment) {
        Duration grace = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
        return new PoolClientLifecycle(poolClient, grace);
    }

    /** Applies the customizers whose generic type accepts this builder, as Spring Boot does for its own. */
    @SuppressWarnings("unchecked")
    private static ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory> customize(
            ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory> builder,
            List<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers) {
        Object[] result = { builder };
        LambdaSafe.callbacks(ClientHttpRequestFactoryBuilderCustomizer.class, customizers, builder)
                .invoke(c -> result[0] = c.customize((ClientHttpRequestFactoryBuilder<?>) result[0]));
        return (ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory>) result[0];
    }
}
