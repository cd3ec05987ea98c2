package io.poolclient.boot.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolclient.PoolClient;
import io.poolclient.boot.PoolClientAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the pool meters: only with Micrometer on the classpath, a
 * {@link MeterRegistry} bean and an engine in the context, the auto-configured one or the
 * application's own. {@link PoolMeters} is the {@code MeterBinder} Spring Boot binds once the
 * registry is ready; binding adds it to that engine as a listener (once: the auto-configured engine
 * already has it, as it adds every {@code PoolListener} bean), so the pools that exist then and
 * those created later get their meters.
 */
@AutoConfiguration(after = PoolClientAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBooleanProperty(name = "pool-client.enabled", matchIfMissing = true)
@ConditionalOnBean({ MeterRegistry.class, PoolClient.class })
public final class PoolClientMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PoolMeters poolClientMeters(ObjectProvider<PoolClient> poolClient) {
        return new PoolMeters(poolClient::getObject);
    }
}
