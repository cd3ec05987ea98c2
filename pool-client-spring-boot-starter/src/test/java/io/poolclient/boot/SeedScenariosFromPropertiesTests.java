package io.poolclient.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.Redirects;
import io.poolclient.PoolSnapshot;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.client.RestClient;

/**
 * The engine's seed scenarios again, this time configured only through {@code pool-client.*}
 * properties and driven through the auto-configured {@code RestClient.Builder}. Connections are
 * counted on the server side.
 */
@ExtendWith(OutputCaptureExtension.class)
class SeedScenariosFromPropertiesTests {

    private final Upstream a = new Upstream();
    private final Upstream b = new Upstream();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(PoolClientAutoConfigurationTests.CORE)
        .withConfiguration(PoolClientAutoConfigurationTests.STARTER);

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void poolConnectionsOneWithHostsABAOpensThreeConnections() {
        runner.withPropertyValues("pool-client.mounts.http.pool-connections=1").run(context -> {
            RestClient client = context.getBean(RestClient.Builder.class).build();
            client.get().uri(a.url("/1")).retrieve().body(String.class);
            client.get().uri(b.url("/2")).retrieve().body(String.class);
            client.get().uri(a.url("/3")).retrieve().body(String.class);

            List<RecordedRequest> onA = a.take(2);
            List<RecordedRequest> onB = b.take(1);
            assertThat(Upstream.connections(onA) + Upstream.connections(onB)).isEqualTo(3);
            MountSnapshot http = context.getBean(PoolClient.class).snapshot("http").orElseThrow();
            assertThat(http.poolsEvicted()).isEqualTo(2);
            assertThat(http.pools()).singleElement().satisfies(pool -> {
                assertThat(pool.port()).isEqualTo(a.port());
                assertThat(pool.opened()).isEqualTo(1);
                assertThat(pool.reused()).isZero();
            });
        });
    }

    @Test
    void poolMaxsizeOneOverflowDiscardsOneConnectionAndSaysSo(CapturedOutput output) {
        runner.withPropertyValues("pool-client.mounts.tight.prefix=" + a.url("/"),
                "pool-client.mounts.tight.pool-maxsize=1")
            .run(context -> {
                RestClient client = context.getBean(RestClient.Builder.class).build();
                client.get().uri(a.url("/outer")).exchange((request, response) -> {
                    client.get().uri(a.url("/inner")).retrieve().body(String.class);
                    return response.bodyTo(String.class);
                });

                assertThat(Upstream.connections(a.take(2))).isEqualTo(2);
                PoolSnapshot pool = context.getBean(PoolClient.class).snapshot("tight").orElseThrow().pools().get(0);
                assertThat(pool.opened()).isEqualTo(2);
                assertThat(pool.discarded()).isEqualTo(1);
                assertThat(pool.idle()).isEqualTo(1);
                assertThat(pool.leased()).isZero();
                assertThat(output).contains("Connection pool is full, discarding connection: 127.0.0.1:" + a.port()
                        + ". Connection pool size: 1");
            });
    }

    @Test
    void defaultsApplyToEveryMountAndMountsOverrideThemKeyByKey() {
        runner.withPropertyValues("pool-client.defaults.pool-maxsize=1",
                "pool-client.mounts.roomy.prefix=" + b.url("/"), "pool-client.mounts.roomy.pool-maxsize=5")
            .run(context -> {
                RestClient client = context.getBean(RestClient.Builder.class).build();
                client.get().uri(a.url("/")).retrieve().body(String.class);
                client.get().uri(b.url("/")).retrieve().body(String.class);
                PoolClient engine = context.getBean(PoolClient.class);
                assertThat(engine.snapshot("http").orElseThrow().pools().get(0).maxsize()).isEqualTo(1);
                assertThat(engine.snapshot("roomy").orElseThrow().pools().get(0).maxsize()).isEqualTo(5);
                a.take(1);
                b.take(1);
            });
    }

    @Test
    void poolClientPropertiesBeatBootsHttpClientSettings() {
        runner.withPropertyValues("spring.http.clients.redirects=dont-follow",
                "pool-client.mounts.http.redirects=follow")
            .run(context -> {
                PoolClient engine = context.getBean(PoolClient.class);
                assertThat(engine.snapshot("http").orElseThrow().settings().redirects()).isEqualTo(Redirects.FOLLOW);
                assertThat(engine.snapshot("https").orElseThrow().settings().redirects()).isNull();
            });
    }
}
