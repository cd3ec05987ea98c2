package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.boot.actuate.HttpPoolsEndpoint;
import io.poolclient.boot.health.HttpPoolsHealthIndicator;
import io.poolclient.boot.metrics.PoolMeters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;

/**
 * When the starter steps aside (an explicit factory choice, the application's own factory builder),
 * when it refuses to start (cookie handling), and how {@link PoolClientBuilderCustomizer}s apply.
 */
class StarterBacksOffTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(PoolClientAutoConfigurationTests.CORE)
            .withConfiguration(PoolClientAutoConfigurationTests.STARTER)
            .withConfiguration(PoolClientAutoConfigurationTests.ACTUATOR)
            .withConfiguration(PoolClientAutoConfigurationTests.METRICS)
            .withConfiguration(PoolClientAutoConfigurationTests.HEALTH)
            .withPropertyValues("management.endpoints.web.exposure.include=httppools");

    @Test
    void anExplicitFactoryChoiceWinsAndNothingOfTheEngineIsCreated() {
        runner.withPropertyValues("spring.http.clients.imperative.factory=jdk").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class))
                    .isInstanceOf(JdkClientHttpRequestFactoryBuilder.class);
            assertThat(context.getBean(ClientHttpRequestFactory.class)).isInstanceOf(JdkClientHttpRequestFactory.class);
            assertThat(context).doesNotHaveBean(PoolClient.class);
            assertThat(context).doesNotHaveBean(HttpPoolsEndpoint.class);
            assertThat(context).doesNotHaveBean(PoolMeters.class);
            assertThat(context).doesNotHaveBean(HttpPoolsHealthIndicator.class);
        });
    }

    @Test
    void theApplicationsOwnFactoryBuilderWinsAndNoUnusedEngineIsShown() {
        runner.withUserConfiguration(OwnBuilder.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ClientHttpRequestFactory.class)).isInstanceOf(SimpleClientHttpRequestFactory.class);
            assertThat(context).doesNotHaveBean(PoolClient.class);
            assertThat(context).doesNotHaveBean(HttpPoolsEndpoint.class);
            assertThat(context).doesNotHaveBean(PoolMeters.class);
            assertThat(context).doesNotHaveBean(HttpPoolsHealthIndicator.class);
        });
    }

    @Test
    void cookieHandlingEnableFailsAtStartupNamingTheProperty() {
        runner.withPropertyValues("spring.http.clients.cookie-handling=enable").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("spring.http.clients.cookie-handling")
                    .hasMessageContaining("keeps no cookies");
        });
    }

    @Test
    void customizersApplyInOrderBeforeTheEngineIsBuilt() {
        runner.withUserConfiguration(Customizers.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Customizers.class).applied).containsExactly("first", "second");
            PoolClient engine = context.getBean(PoolClient.class);
            assertThat(engine.settings(PoolClient.HTTPS).orElseThrow().poolMaxsize())
                    .as("the later customizer's value stands").isEqualTo(7);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBuilder {

        @Bean
        ClientHttpRequestFactoryBuilder<?> ownBuilder() {
            return ClientHttpRequestFactoryBuilder.simple();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {

        final List<String> applied = new ArrayList<>();

        @Bean
        @Order(2)
        PoolClientBuilderCustomizer second() {
            return builder -> {
                applied.add("second");
                builder.mount(PoolClient.HTTPS, MountSettings.builder().poolMaxsize(7).build());
            };
        }

        @Bean
        @Order(1)
        PoolClientBuilderCustomizer first() {
            return builder -> {
                applied.add("first");
                builder.mount(PoolClient.HTTPS, MountSettings.builder().poolMaxsize(3).build());
            };
        }
    }
}
