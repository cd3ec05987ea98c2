package io.poolclient.boot;

import io.poolclient.PoolClient;

/**
 * Adjusts the auto-configured engine before it is built, without replacing it: every bean of this
 * type is called, in {@link org.springframework.core.annotation.Order @Order} (or
 * {@link org.springframework.core.Ordered}) order, with the {@link PoolClient.Builder} that
 * {@code pool-client.*} has already filled in; a later customizer sees what an earlier one set.
 * The builder validates everything when it is built, after the last customizer. Not called when
 * the application defines its own {@link PoolClient} bean.
 *
 * <pre>{@code
 * @Bean
 * PoolClientBuilderCustomizer reportMounts() {
 *     return builder -> builder.mount("reports", "https://reports.example/",
 *             MountSettings.builder().readTimeout(Duration.ofMinutes(2)).build());
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PoolClientBuilderCustomizer {

    /** Changes the builder in place. */
    void customize(PoolClient.Builder builder);
}
