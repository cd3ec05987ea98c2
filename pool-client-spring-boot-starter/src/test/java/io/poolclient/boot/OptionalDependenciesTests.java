package io.poolclient.boot;

import static io.poolclient.boot.PoolClientAutoConfigurationTests.ACTUATOR;
import static io.poolclient.boot.PoolClientAutoConfigurationTests.CORE;
import static io.poolclient.boot.PoolClientAutoConfigurationTests.HEALTH;
import static io.poolclient.boot.PoolClientAutoConfigurationTests.METRICS;
import static io.poolclient.boot.PoolClientAutoConfigurationTests.STARTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolclient.PoolClient;
import io.poolclient.boot.actuate.HttpPoolsEndpoint;
import io.poolclient.boot.health.HttpPoolsHealthIndicator;
import io.poolclient.boot.metrics.PoolMeters;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * The starter's optional parts switch off cleanly when their library is missing (the library and
 * Spring Boot's own auto-configuration for it are gone together, as in a real application), while
 * the engine and the factory builder stay.
 */
class OptionalDependenciesTests {

    private static final String EXPOSE = "management.endpoints.web.exposure.include=httppools";

    @Test
    void withoutActuatorThereIsNoEndpoint() {
        new ApplicationContextRunner().withConfiguration(CORE).withConfiguration(STARTER)
            .withConfiguration(METRICS).withConfiguration(HEALTH)
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
            .withPropertyValues(EXPOSE)
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).hasSingleBean(PoolClient.class);
                assertThat(context).doesNotHaveBean(HttpPoolsEndpoint.class);
                assertThat(context.getBean(ClientHttpRequestFactory.class))
                    .isInstanceOf(PoolingClientHttpRequestFactory.class);
            });
    }

    @Test
    void endpointNotExposedMeansNoEndpointBean() {
        new ApplicationContextRunner().withConfiguration(CORE).withConfiguration(STARTER).withConfiguration(ACTUATOR)
            .run(context -> {
                assertThat(context).hasSingleBean(PoolClient.class);
                assertThat(context).doesNotHaveBean(HttpPoolsEndpoint.class);
            });
    }

    @Test
    void endpointAccessNoneMeansNoEndpointBean() {
        new ApplicationContextRunner().withConfiguration(CORE).withConfiguration(STARTER).withConfiguration(ACTUATOR)
            .withPropertyValues(EXPOSE, "management.endpoint.httppools.access=NONE")
            .run(context -> assertThat(context).doesNotHaveBean(HttpPoolsEndpoint.class));
    }

    @Test
    void withoutMicrometerThereAreNoMeters() {
        new ApplicationContextRunner().withConfiguration(CORE).withConfiguration(STARTER).withConfiguration(ACTUATOR)
            .withConfiguration(HEALTH)
            .withClassLoader(new FilteredClassLoader("io.micrometer.core", "org.springframework.boot.micrometer"))
            .withPropertyValues(EXPOSE)
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).hasSingleBean(PoolClient.class);
                assertThat(context).hasSingleBean(HttpPoolsEndpoint.class);
                assertThat(context).doesNotHaveBean(PoolMeters.class);
            });
    }

    @Test
    void withoutAMeterRegistryBeanThereAreNoMeters() {
        new ApplicationContextRunner().withConfiguration(CORE).withConfiguration(STARTER).run(context -> {
            assertThat(context).hasSingleBean(PoolClient.class);
            assertThat(context).doesNotHaveBean(MeterRegistry.class);
            assertThat(context).doesNotHaveBean(PoolMeters.class);
        });
    }

    @Test
    void withoutBootsHealthModuleThereIsNoHealthIndicator() {
        new ApplicationContextRunner().withConfiguration(CORE).withConfiguration(STARTER).withConfiguration(ACTUATOR)
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).hasSingleBean(PoolClient.class);
                assertThat(context).doesNotHaveBean(HttpPoolsHealthIndicator.class);
            });
    }

    @Test
    void healthIndicatorCanBeSwitchedOff() {
        new ApplicationContextRunner().withConfiguration(CORE).withConfiguration(STARTER).withConfiguration(HEALTH)
            .withPropertyValues("management.health.httppools.enabled=false")
            .run(context -> {
                assertThat(context).hasSingleBean(PoolClient.class);
                assertThat(context).doesNotHaveBean(HttpPoolsHealthIndicator.class);
            });
    }

    @Test
    void withoutBootsRestClientModuleTheEngineAndBuilderStillStart() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HttpClientAutoConfiguration.class,
                    ImperativeHttpClientAutoConfiguration.class))
            .withConfiguration(STARTER)
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.restclient"))
            .run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).hasSingleBean(PoolClient.class);
                assertThat(context.getBean(ClientHttpRequestFactory.class))
                    .isInstanceOf(PoolingClientHttpRequestFactory.class);
            });
    }
}
