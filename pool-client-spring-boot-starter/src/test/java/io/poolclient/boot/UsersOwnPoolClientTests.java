package io.poolclient.boot;

import static io.poolclient.boot.PoolClientAutoConfigurationTests.CORE;
import static io.poolclient.boot.PoolClientAutoConfigurationTests.METRICS;
import static io.poolclient.boot.PoolClientAutoConfigurationTests.STARTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.poolclient.PoolClient;
import io.poolclient.Request;
import io.poolclient.Response;
import io.poolclient.boot.metrics.PoolMeters;
import io.poolclient.HostPoolView;
import io.poolclient.PoolListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * The pool meters follow whatever engine is in the context: the application's own {@link PoolClient}
 * bean (the auto-configured one backs off) gets them without wiring anything, also for pools it
 * created before the meters were bound; an engine that already has them as a listener, the
 * auto-configured one or one built with {@code .listener(poolMeters)}, counts each acquisition once.
 */
class UsersOwnPoolClientTests {

    private final Upstream upstream = new Upstream();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(CORE).withConfiguration(STARTER).withConfiguration(METRICS);

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void aUsersOwnEngineGetsThePoolMeters() {
        runner.withUserConfiguration(OwnEngine.class).run(context -> {
            assertThat(context).hasSingleBean(PoolClient.class);
            assertThat(context.getBean(PoolClient.class)).isSameAs(context.getBean(OwnEngine.class).engine);
            assertThat(context).hasSingleBean(PoolMeters.class);

            get(context, "/one");
            get(context, "/two");

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(gauge(registry, "idle")).isEqualTo(1);
            assertThat(gauge(registry, "leased")).isZero();
            assertThat(registry.get("http.client.pool.max").tags(tags()).gauge().value()).isEqualTo(10);
            assertThat(registry.get("http.client.pool.connections.opened").tags(tags()).functionCounter().count())
                .isEqualTo(1);
            assertThat(registry.get("http.client.pool.acquire").tags(tags()).timer().count()).isEqualTo(2);
            assertThat(registry.get("http.client.pool.evictions").tags("mount", "http").functionCounter().count())
                .isZero();
            assertThat(Upstream.connections(upstream.take(2))).isEqualTo(1);
        });
    }

    @Test
    void poolsTheEngineCreatedBeforeTheMetersWereBoundGetTheirMeters() {
        runner.withUserConfiguration(OwnEngine.class, WarmUp.class)
            .withPropertyValues("warm-up.url=" + upstream.url("/warm-up"))
            .run(context -> {
                assertThat(upstream.requestCount()).as("the warm-up request, sent while the context started").isEqualTo(1);
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(gauge(registry, "idle")).isEqualTo(1);
                assertThat(registry.get("http.client.pool.connections.opened").tags(tags()).functionCounter().count())
                    .isEqualTo(1);

                long acquired = registry.get("http.client.pool.acquire").tags(tags()).timer().count();
                get(context, "/after");
                assertThat(registry.get("http.client.pool.acquire").tags(tags()).timer().count()).isEqualTo(acquired + 1);
            });
    }

    @Test
    void anEngineBuiltWithTheMetersAsItsListenerCountsEachAcquisitionOnce() {
        runner.withUserConfiguration(EngineWithMeters.class).run(context -> {
            get(context, "/one");
            get(context, "/two");
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("http.client.pool.acquire").tags(tags()).timer().count()).isEqualTo(2);
        });
    }

    @Test
    void theAutoConfiguredEngineCountsEachAcquisitionOnceAndTellsEveryListenerBean() {
        runner.withUserConfiguration(Listening.class).run(context -> {
            get(context, "/one");
            get(context, "/two");
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("http.client.pool.acquire").tags(tags()).timer().count()).isEqualTo(2);
            assertThat(context.getBean(Recorder.class).heard).containsExactly("added 127.0.0.1:" + upstream.port(),
                    "acquired", "acquired");
        });
    }

    @Test
    void closingTheUsersEngineWithTheContextRemovesItsPoolMeters() {
        MeterRegistry[] registry = new MeterRegistry[1];
        runner.withUserConfiguration(OwnEngine.class).run(context -> {
            get(context, "/one");
            registry[0] = context.getBean(MeterRegistry.class);
            assertThat(registry[0].find("http.client.pool.connections").meters()).hasSize(2);
        });
        assertThat(registry[0].find("http.client.pool.connections").meters()).isEmpty();
    }

    private void get(AssertableApplicationContext context, String path) {
        RestClient client = context.getBean(RestClient.Builder.class).build();
        assertThat(client.get().uri(upstream.url(path)).retrieve().body(String.class)).isEqualTo("ok " + path);
    }

    private String[] tags() {
        return new String[] { "mount", "http", "host", "127.0.0.1:" + upstream.port(), "scheme", "http" };
    }

    private double gauge(MeterRegistry registry, String state) {
        return registry.get("http.client.pool.connections").tags(tags()).tag("state", state).gauge().value();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEngine {

        final PoolClient engine = PoolClient.builder().build();

        @Bean
        PoolClient myPoolClient() {
            return engine;
        }
    }

    /** Sends one request through the engine while the context starts, before any registry is bound. */
    @Configuration(proxyBeanMethods = false)
    static class WarmUp {

        WarmUp(PoolClient engine, @Value("${warm-up.url}") String url) {
            try (Response r = engine.execute(Request.get(URI.create(url)))) {
                r.body().readAllBytes();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class EngineWithMeters {

        @Bean
        PoolClient myPoolClient(PoolMeters meters) {
            return PoolClient.builder().listener(meters).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Listening {

        @Bean
        Recorder recorder() {
            return new Recorder();
        }
    }

    /** A {@link PoolListener} bean that writes what it hears. */
    static class Recorder implements PoolListener {

        final List<String> heard = new CopyOnWriteArrayList<>();

        @Override
        public void poolAdded(HostPoolView pool) {
            heard.add("added " + pool.hostPort());
        }

        @Override
        public void connectionAcquired(HostPoolView pool, long waitNanos) {
            heard.add("acquired");
        }
    }
}
