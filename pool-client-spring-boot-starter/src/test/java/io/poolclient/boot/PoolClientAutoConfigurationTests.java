package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Redirects;
import io.poolclient.RequestOptions;
import io.poolclient.boot.actuate.HttpPoolsEndpoint;
import io.poolclient.boot.health.HttpPoolsHealthIndicator;
import io.poolclient.boot.metrics.PoolMeters;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.InetAddressFilter;
import org.springframework.boot.http.client.SimpleClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientSsl;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** The conditions and wiring of {@link PoolClientAutoConfiguration} and its companions. */
class PoolClientAutoConfigurationTests {

    /** Spring Boot's HTTP client and RestClient/RestTemplate auto-configurations. */
    static final AutoConfigurations CORE = AutoConfigurations.of(SslAutoConfiguration.class,
            HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
            HttpMessageConvertersAutoConfiguration.class, RestClientAutoConfiguration.class,
            RestTemplateAutoConfiguration.class);

    /** Every auto-configuration of the starter. */
    static final AutoConfigurations STARTER = AutoConfigurations.of(PoolClientAutoConfiguration.class,
            io.poolclient.boot.actuate.HttpPoolsEndpointAutoConfiguration.class,
            io.poolclient.boot.metrics.PoolClientMetricsAutoConfiguration.class,
            io.poolclient.boot.health.HttpPoolsHealthContributorAutoConfiguration.class);

    static final AutoConfigurations ACTUATOR = AutoConfigurations.of(EndpointAutoConfiguration.class,
            WebEndpointAutoConfiguration.class);

    static final AutoConfigurations METRICS = AutoConfigurations.of(MetricsAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class);

    static final AutoConfigurations HEALTH = AutoConfigurations.of(HealthContributorAutoConfiguration.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(CORE).withConfiguration(STARTER).withConfiguration(ACTUATOR)
            .withConfiguration(METRICS).withConfiguration(HEALTH)
            .withPropertyValues("management.endpoints.web.exposure.include=httppools");

    @Test
    void startsOneEngineAndTakesOverBootsFactoryBuilder() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(PoolClient.class);
            PoolClient engine = context.getBean(PoolClient.class);
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(PoolingClientHttpRequestFactoryBuilder.class);
            ClientHttpRequestFactory factory = context.getBean(ClientHttpRequestFactory.class);
            assertThat(factory).isInstanceOfSatisfying(PoolingClientHttpRequestFactory.class,
                    f -> assertThat(f.getPoolClient()).isSameAs(engine));
            assertThat(context).hasSingleBean(HttpPoolsEndpoint.class);
            assertThat(context).hasSingleBean(PoolMeters.class);
            assertThat(context).hasBean("httppoolsHealthIndicator");
            assertThat(engine.snapshot().mounts()).extracting(m -> m.name()).containsExactly("https", "http");
        });
    }

    @Test
    void everyAutoConfiguredClientSharesTheOneEngine() {
        runner.run(context -> {
            PoolClient engine = context.getBean(PoolClient.class);
            RestClient.Builder restClientBuilder = context.getBean(RestClient.Builder.class);
            RestTemplateBuilder restTemplateBuilder = context.getBean(RestTemplateBuilder.class);
            ClientHttpRequestFactory fromTemplate = restTemplateBuilder.build().getRequestFactory();
            assertThat(fromTemplate).isInstanceOfSatisfying(PoolingClientHttpRequestFactory.class,
                    f -> assertThat(f.getPoolClient()).isSameAs(engine));
            assertThat(restClientBuilder).isNotNull();
        });
    }

    @Test
    void closesTheEngineWithTheContext() {
        PoolClient[] engine = new PoolClient[1];
        runner.run(context -> engine[0] = context.getBean(PoolClient.class));
        assertThat(engine[0].isClosed()).isTrue();
    }

    @Test
    void disabledCreatesNothingAtAll() {
        runner.withPropertyValues("pool-client.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(PoolClient.class);
            assertThat(context).doesNotHaveBean(PoolingClientHttpRequestFactoryBuilder.class);
            assertThat(context).doesNotHaveBean(SslBundleTlsConfigs.class);
            assertThat(context).doesNotHaveBean(HttpPoolsEndpoint.class);
            assertThat(context).doesNotHaveBean(PoolMeters.class);
            assertThat(context).doesNotHaveBean(HttpPoolsHealthIndicator.class);
            assertThat(context).doesNotHaveBean(PoolClientProperties.class);
            assertThat(context.getBean(ClientHttpRequestFactory.class))
                    .isNotInstanceOf(PoolingClientHttpRequestFactory.class);
        });
    }

    @Test
    void usersOwnFactoryBuilderWins() {
        runner.withUserConfiguration(OwnBuilder.class).run(context -> {
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(SimpleClientHttpRequestFactoryBuilder.class);
            assertThat(context.getBean(ClientHttpRequestFactory.class)).isInstanceOf(SimpleClientHttpRequestFactory.class);
            assertThat(context).doesNotHaveBean(PoolingClientHttpRequestFactoryBuilder.class);
        });
    }

    @Test
    void appliesFactoryBuilderCustomizersThatFitTheBuilder() {
        runner.withUserConfiguration(Customizers.class).run(context -> {
            ClientHttpRequestFactory factory = context.getBean(ClientHttpRequestFactory.class);
            assertThat(factory).isInstanceOf(PoolingClientHttpRequestFactory.class);
            assertThat(context.getBean(Customizers.class).applied).containsExactly("pooling");
        });
    }

    @Test
    void bootsGlobalHttpClientSettingsRankBelowThePoolClientDefaults() {
        runner.withPropertyValues("spring.http.clients.connect-timeout=3s", "spring.http.clients.read-timeout=7s",
                "spring.http.clients.redirects=dont-follow").run(context -> {
                    PoolingClientHttpRequestFactory factory = (PoolingClientHttpRequestFactory) context
                        .getBean(ClientHttpRequestFactory.class);
                    RequestOptions options = factory.getOptions();
                    assertThat(options.globals().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(options.globals().readTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(options.globals().redirects()).isEqualTo(Redirects.DONT_FOLLOW);
                    assertThat(options.connectTimeout()).as("equal to the global value: not per-client").isNull();
                    assertThat(options.readTimeout()).isNull();
                    assertThat(options.redirects()).isNull();
                    assertThat(options.tls()).isNull();
                    assertThat(options.addressFilter()).isNull();
                });
    }

    @Test
    void inetAddressFilterBeanBecomesTheAddressFilter() {
        runner.withBean(InetAddressFilter.class, InetAddressFilter::externalAddresses).run(context -> {
            PoolingClientHttpRequestFactory factory = (PoolingClientHttpRequestFactory) context
                .getBean(ClientHttpRequestFactory.class);
            assertThat(factory.getOptions().addressFilter()).isNotNull();
            assertThat(factory.getOptions().addressFilter().test(InetAddress.getByName("127.0.0.1"))).isFalse();
            assertThat(factory.getOptions().addressFilter().test(InetAddress.getByName("8.8.8.8"))).isTrue();
        });
    }

    @Test
    void everyPropertyMapsOntoTheMountSettings() {
        runner.withPropertyValues("pool-client.defaults.pool-maxsize=20", "pool-client.defaults.read-timeout=5s",
                "pool-client.mounts.payments.prefix=https://API.Payments.example:443/v1/",
                "pool-client.mounts.payments.pool-connections=4", "pool-client.mounts.payments.pool-maxsize=50",
                "pool-client.mounts.payments.pool-block=true", "pool-client.mounts.payments.pool-timeout=2s",
                "pool-client.mounts.payments.connect-timeout=1500ms", "pool-client.mounts.payments.idle-timeout=1m",
                "pool-client.mounts.payments.max-lifetime=10m", "pool-client.mounts.payments.redirects=dont-follow",
                "pool-client.mounts.payments.max-redirects=5", "pool-client.mounts.payments.decompress=false",
                "pool-client.mounts.payments.leak-detection-threshold=20s",
                "pool-client.mounts.payments.max-header-count=50", "pool-client.mounts.payments.max-header-line=16KB",
                "pool-client.mounts.payments.retry.total=5", "pool-client.mounts.payments.retry.connect=2",
                "pool-client.mounts.payments.retry.read=1", "pool-client.mounts.payments.retry.status=3",
                "pool-client.mounts.payments.retry.status-forcelist=502,503",
                "pool-client.mounts.payments.retry.allowed-methods=get,post",
                "pool-client.mounts.payments.retry.backoff-factor=100ms",
                "pool-client.mounts.payments.retry.backoff-max=10s",
                "pool-client.mounts.payments.retry.backoff-jitter=50ms",
                "pool-client.mounts.payments.retry.respect-retry-after=false",
                "pool-client.mounts.payments.retry.raise-on-status=true", "pool-client.mounts.https.max-retries=2")
            .run(context -> {
                PoolClient engine = context.getBean(PoolClient.class);
                assertThat(engine.snapshot().mounts()).extracting(m -> m.name()).containsExactly("payments", "https", "http");
                assertThat(engine.snapshot("payments").orElseThrow().prefix()).isEqualTo("https://api.payments.example/v1/");
                MountSettings s = engine.settings("payments").orElseThrow();
                assertThat(s.poolConnections()).isEqualTo(4);
                assertThat(s.poolMaxsize()).isEqualTo(50);
                assertThat(s.poolBlock()).isTrue();
                assertThat(s.poolTimeout()).isEqualTo(Duration.ofSeconds(2));
                assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
                assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(5));
                assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
                assertThat(s.maxLifetime()).isEqualTo(Duration.ofMinutes(10));
                assertThat(s.redirects()).isEqualTo(Redirects.DONT_FOLLOW);
                assertThat(s.maxRedirects()).isEqualTo(5);
                assertThat(s.decompress()).isFalse();
                assertThat(s.leakDetectionThreshold()).isEqualTo(Duration.ofSeconds(20));
                assertThat(s.maxHeaderCount()).isEqualTo(50);
                assertThat(s.maxHeaderLine()).isEqualTo(16 * 1024);
                assertThat(s.maxRetries()).isNull();
                assertThat(s.retry().total()).isEqualTo(5);
                assertThat(s.retry().connect()).isEqualTo(2);
                assertThat(s.retry().read()).isEqualTo(1);
                assertThat(s.retry().status()).isEqualTo(3);
                assertThat(s.retry().statusForcelist()).containsExactly(502, 503);
                assertThat(s.retry().allowedMethods()).containsExactlyInAnyOrder("GET", "POST");
                assertThat(s.retry().backoffFactor()).isEqualTo(Duration.ofMillis(100));
                assertThat(s.retry().backoffMax()).isEqualTo(Duration.ofSeconds(10));
                assertThat(s.retry().backoffJitter()).isEqualTo(Duration.ofMillis(50));
                assertThat(s.retry().respectRetryAfter()).isFalse();
                assertThat(s.retry().raiseOnStatus()).isTrue();
                MountSettings https = engine.settings("https").orElseThrow();
                assertThat(https.maxRetries()).isEqualTo(2);
                assertThat(https.poolMaxsize()).isEqualTo(20);
                assertThat(https.readTimeout()).isEqualTo(Duration.ofSeconds(5));
                // Keys left to Boot's per-client settings stay unset in the engine.
                assertThat(https.connectTimeout()).isNull();
                assertThat(https.redirects()).isNull();
                assertThat(https.tls()).isNull();
            });
    }

    @Test
    void retryDefaultsApplyWhenOnlySomeRetryKeysAreSet() {
        runner.withPropertyValues("pool-client.mounts.api.prefix=http://127.0.0.1:9/",
                "pool-client.mounts.api.retry.status-forcelist=503").run(context -> {
                    MountSettings s = context.getBean(PoolClient.class).settings("api").orElseThrow();
                    assertThat(s.retry().total()).isEqualTo(3);
                    assertThat(s.retry().allowedMethods())
                        .containsExactlyInAnyOrder("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
                    assertThat(s.retry().respectRetryAfter()).isTrue();
                });
    }

    @Test
    void sslBundleNamesResolveThroughBootsSslBundles() {
        runner.withUserConfiguration(Bundles.class)
            .withPropertyValues("pool-client.mounts.corp.prefix=https://corp.example/",
                    "pool-client.mounts.corp.ssl-bundle=corp")
            .run(context -> {
                PoolClient engine = context.getBean(PoolClient.class);
                MountSettings s = engine.settings("corp").orElseThrow();
                assertThat(s.tls().name()).isEqualTo("corp");
                assertThat(engine.snapshot("corp").orElseThrow().settings().tls()).hasToString("corp");
                // RestClientSsl goes through the pools too, with the very same TLS identity.
                RestClientSsl ssl = context.getBean(RestClientSsl.class);
                RestClient.Builder builder = RestClient.builder();
                ssl.fromBundle("corp").accept(builder);
                ClientHttpRequestFactoryBuilder<?> factoryBuilder = context.getBean(ClientHttpRequestFactoryBuilder.class);
                SslBundle corp = context.getBean(SslBundles.class).getBundle("corp");
                PoolingClientHttpRequestFactory viaSsl = (PoolingClientHttpRequestFactory) factoryBuilder
                    .build(HttpClientSettings.ofSslBundle(corp));
                assertThat(viaSsl.getOptions().tls()).isSameAs(s.tls());
            });
    }

    @Test
    void failsNamingTheUnknownSslBundle() {
        runner.withUserConfiguration(Bundles.class)
            .withPropertyValues("pool-client.mounts.corp.prefix=https://corp.example/",
                    "pool-client.mounts.corp.ssl-bundle=nope")
            .run(context -> assertThat(Failures.rootMessage(context))
                .contains("pool-client.mounts.corp.ssl-bundle").contains("nope"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBuilder {

        @Bean
        ClientHttpRequestFactoryBuilder<?> myBuilder() {
            return ClientHttpRequestFactoryBuilder.simple();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {

        final List<String> applied = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Bean
        ClientHttpRequestFactoryBuilderCustomizer<ClientHttpRequestFactoryBuilder<PoolingClientHttpRequestFactory>> pooling() {
            return builder -> {
                applied.add("pooling");
                return builder;
            };
        }

        @Bean
        ClientHttpRequestFactoryBuilderCustomizer<SimpleClientHttpRequestFactoryBuilder> simple() {
            return builder -> {
                applied.add("simple");
                return builder;
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Bundles {

        @Bean
        SslBundles sslBundles() {
            return new DefaultSslBundleRegistry("corp", SslBundle.systemDefault());
        }
    }
}
