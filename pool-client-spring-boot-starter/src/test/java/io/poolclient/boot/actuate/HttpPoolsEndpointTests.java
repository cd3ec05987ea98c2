package io.poolclient.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.Redirects;
import io.poolclient.retry.Retry;
import io.poolclient.boot.Upstream;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.web.client.RestClient;

/** {@link HttpPoolsEndpoint} and its web extension over a real engine. */
class HttpPoolsEndpointTests {

    private final Upstream upstream = new Upstream();
    private final PoolClient engine = PoolClient.builder()
        .mount("local", upstream.url("/"), MountSettings.builder().poolMaxsize(3).build())
        .build();
    private final HttpPoolsEndpoint endpoint = new HttpPoolsEndpoint(engine);
    private final HttpPoolsEndpointWebExtension web = new HttpPoolsEndpointWebExtension(endpoint);

    @AfterEach
    void close() {
        engine.close();
        upstream.close();
    }

    private void call(String path) {
        RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(engine)).build()
            .get().uri(upstream.url(path)).retrieve().body(String.class);
    }

    @Test
    void readsEveryMountInMatchOrder() {
        call("/x");
        HttpPoolsDescriptor all = endpoint.pools();
        assertThat(all.mounts()).extracting(MountDescriptor::name).containsExactly("local", "https", "http");
        MountDescriptor local = all.mounts().get(0);
        assertThat(local.settings()).containsEntry("poolMaxsize", 3);
        assertThat(local.pools()).singleElement().satisfies(p -> {
            assertThat(p.requests()).isEqualTo(1);
            assertThat(p.maxsize()).isEqualTo(3);
        });
    }

    @Test
    void readsOneMountOr404() {
        assertThat(endpoint.mount("local").name()).isEqualTo("local");
        assertThat(endpoint.mount("nope")).isNull();
        WebEndpointResponse<MountDescriptor> found = web.mount("local");
        assertThat(found.getStatus()).isEqualTo(200);
        assertThat(found.getBody().prefix()).isEqualTo(upstream.url("/"));
        assertThat(web.mount("nope").getStatus()).isEqualTo(404);
    }

    @Test
    void deleteDropsPoolsAnswers204Or404() {
        call("/x");
        assertThat(web.drop("local").getStatus()).isEqualTo(204);
        assertThat(endpoint.mount("local").pools()).isEmpty();
        assertThat(endpoint.mount("local").poolsEvicted()).isZero();
        assertThat(web.drop("nope").getStatus()).isEqualTo(404);
        call("/again");
        assertThat(endpoint.mount("local").pools()).singleElement()
            .satisfies(p -> assertThat(p.opened()).isEqualTo(1));
    }

    @Test
    void settingsAreShownUnderCamelCaseNamesWithDurationsSpelledAsInProperties() {
        PoolClient configured = PoolClient.builder()
            .mount("api", "http://api.example/", MountSettings.builder()
                .poolTimeout(Duration.ofMillis(250))
                .redirects(Redirects.DONT_FOLLOW)
                .retry(Retry.builder().total(2).statusForcelist(Set.of(503)).backoffFactor(Duration.ofMillis(200)).build())
                .build())
            .build();
        try {
            Map<String, Object> settings = new HttpPoolsEndpoint(configured).mount("api").settings();
            assertThat(settings).containsEntry("poolConnections", 10)
                .containsEntry("poolTimeout", "250ms")
                .containsEntry("idleTimeout", "30s")
                .containsEntry("redirects", "dont-follow")
                .containsEntry("maxHeaderLine", 8192)
                .doesNotContainKeys("connectTimeout", "sslBundle", "maxRetries");
            assertThat(settings.get("retry")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("total", 2)
                .containsEntry("statusForcelist", List.of(503))
                .containsEntry("backoffFactor", "200ms")
                .containsEntry("backoffMax", "2m")
                .doesNotContainKey("connect");
        }
        finally {
            configured.close();
        }
    }

    @Test
    void aRetryBudgetIsShownWithTheRetryPolicy() {
        PoolClient configured = PoolClient.builder()
            .mount("api", "http://api.example/", MountSettings.builder()
                .retry(Retry.builder().total(2).budgetPercent(20.0).budgetWindow(Duration.ofSeconds(30)).build())
                .build())
            .build();
        try {
            assertThat(new HttpPoolsEndpoint(configured).mount("api").settings().get("retry"))
                .asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("budgetPercent", 20.0)
                .containsEntry("budgetMinPerSecond", 10)
                .containsEntry("budgetWindow", "30s");
        }
        finally {
            configured.close();
        }
    }
}
