package io.poolclient.boot.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.MountSettings;
import io.poolclient.PoolClient;
import io.poolclient.boot.Upstream;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.web.client.RestClient;

/**
 * The live operations of {@link HttpPoolsEndpoint} and its web extension over a real engine: route,
 * update (with the body as {@link MountChanges}) and delete of every mount's pools.
 */
class HttpPoolsLiveOperationsTests {

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

    private static MountChanges changes(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new MountChanges(m);
    }

    @Test
    void readWithoutUrlIsTheWholeDocumentAndWithOneTheRoute() {
        assertThat(endpoint.pools((String) null)).isInstanceOf(HttpPoolsDescriptor.class);
        OperationResponseBody route = endpoint.pools(upstream.url("/a"));
        assertThat(route).isInstanceOfSatisfying(RouteDescriptor.class, r -> {
            assertThat(r.mount()).isEqualTo("local");
            assertThat(r.settings()).containsEntry("poolMaxsize", 3);
            assertThat(r.pool()).isNull();
            assertThat(r.proxy()).isNull();
        });
        assertThat(upstream.requestCount()).isZero();
        call("/a");
        assertThat(endpoint.route(upstream.url("/b")).pool().opened()).isEqualTo(1);
    }

    @Test
    void aBadUrlIs400WithAMessageThatDoesNotRepeatIt() {
        assertThatThrownBy(() -> endpoint.route("ftp://u:s3cret@127.0.0.1/")).isInstanceOf(InvalidEndpointRequestException.class)
            .message().doesNotContain("s3cret");
        WebEndpointResponse<OperationResponseBody> reply = web.pools("no scheme here");
        assertThat(reply.getStatus()).isEqualTo(400);
        assertThat(reply.getBody()).isInstanceOfSatisfying(EndpointError.class,
                e -> assertThat(e.message()).startsWith("url"));
    }

    @Test
    void updateAcceptsPropertyStyleValuesAndAnswersTheMount() {
        call("/a");
        WebEndpointResponse<OperationResponseBody> reply = web.update("local", changes("poolMaxsize", "1",
                "poolBlock", "true", "poolTimeout", "PT2S", "readTimeout", 750, "connectTimeout", "3s", "poolConnections", 2,
                "maxConcurrentStreams", "32"));
        assertThat(reply.getStatus()).isEqualTo(200);
        assertThat(reply.getBody()).isInstanceOfSatisfying(MountDescriptor.class, m -> {
            assertThat(m.settings()).containsEntry("poolMaxsize", 1).containsEntry("poolBlock", true)
                .containsEntry("poolTimeout", "2s").containsEntry("readTimeout", "750ms")
                .containsEntry("connectTimeout", "3s").containsEntry("poolConnections", 2)
                .containsEntry("maxConcurrentStreams", 32);
            assertThat(m.pools()).singleElement().satisfies(p -> assertThat(p.maxsize()).isEqualTo(1));
        });
        assertThat(engine.settings("local").orElseThrow().readTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(engine.settings("local").orElseThrow().maxConcurrentStreams()).isEqualTo(32);
        assertThat(web.update("nope", changes("poolMaxsize", 2)).getStatus()).isEqualTo(404);
    }

    @Test
    void updateRefusesUnknownKeysWrongTypesInvalidValuesAndEmptyBodiesNamingTheKey() {
        assertThat(message(changes("poolMaxsize", 2, "pool_maxsize", 2))).contains("'pool_maxsize'");
        assertThat(message(changes("poolBlock", "yes"))).contains("poolBlock");
        assertThat(message(changes("poolMaxsize", 2.5))).contains("poolMaxsize");
        assertThat(message(changes("poolTimeout", "-1s"))).contains("pool-timeout must not be negative");
        assertThat(message(changes("poolConnections", 0))).contains("pool-connections must be >= 1");
        assertThat(message(changes("maxConcurrentStreams", 0))).isEqualTo("maxConcurrentStreams must be >= 1, was 0");
        assertThat(message(changes("maxConcurrentStreams", "many"))).contains("maxConcurrentStreams");
        assertThat(message(changes("poolMaxsize", 2, "maxConcurrentStreams", -1))).contains("maxConcurrentStreams");
        assertThat(message(changes())).contains("Nothing to change");
        assertThat(engine.settings("local").orElseThrow().poolMaxsize()).isEqualTo(3);
        assertThat(engine.settings("local").orElseThrow().maxConcurrentStreams()).isEqualTo(100);
    }

    private String message(MountChanges changes) {
        WebEndpointResponse<OperationResponseBody> reply = web.update("local", changes);
        assertThat(reply.getStatus()).isEqualTo(400);
        return ((EndpointError) reply.getBody()).message();
    }

    @Test
    void deleteWithoutANameDropsEveryMountsPools() {
        call("/a");
        try (Upstream second = new Upstream()) {
            RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(engine)).build()
                .get().uri(second.url("/b")).retrieve().body(String.class);
        }
        assertThat(endpoint.pools().mounts()).filteredOn(m -> !m.pools().isEmpty()).hasSize(2);
        assertThat(web.dropAll().getStatus()).isEqualTo(204);
        assertThat(endpoint.pools().mounts()).allSatisfy(m -> {
            assertThat(m.pools()).isEmpty();
            assertThat(m.poolsEvicted()).isZero();
        });
    }
}
