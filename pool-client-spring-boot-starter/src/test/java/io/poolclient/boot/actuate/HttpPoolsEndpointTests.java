package io.poolclient.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.ClientSnapshot;
import io.poolclient.MountSettings;
import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.boot.Upstream;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
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
        ClientSnapshot all = endpoint.pools();
        assertThat(all.mounts()).extracting(MountSnapshot::name).containsExactly("local", "https", "http");
        MountSnapshot local = all.mounts().get(0);
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
        WebEndpointResponse<MountSnapshot> found = web.mount("local");
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
}
