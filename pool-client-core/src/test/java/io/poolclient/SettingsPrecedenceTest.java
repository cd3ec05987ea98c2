package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.net.URI;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which layer a setting comes from, most specific first: the mount's own value, the caller's
 * per-client value, {@code pool-client.defaults}, the global layer, the built-in default. Shown
 * with {@code redirects}: the server answers {@code /start} with a 302 to {@code /target}, so the
 * status the caller gets and the requests the server saw tell which value applied.
 */
@Timeout(30)
class SettingsPrecedenceTest {

    private static final RequestOptions CLIENT_DONT_FOLLOW = new RequestOptions(null, null, Redirects.DONT_FOLLOW, null, null);
    private static final MountSettings DONT_FOLLOW = MountSettings.builder().redirects(Redirects.DONT_FOLLOW).build();
    private static final MountSettings FOLLOW = MountSettings.builder().redirects(Redirects.FOLLOW).build();

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().equals("/start")) {
                    return new MockResponse.Builder().code(302).setHeader("Location", "/target").build();
                }
                return new MockResponse.Builder().body("target").build();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    @Test
    void aPerClientValueBeatsTheDefaults() throws Exception {
        client = PoolClient.builder().defaults(FOLLOW).build();

        assertThat(status(CLIENT_DONT_FOLLOW)).isEqualTo(302);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void theMountsOwnValueBeatsAPerClientValueAndSaysSoOnce() throws Exception {
        client = PoolClient.builder().mount("api", "http://127.0.0.1:" + server.getPort() + "/", FOLLOW).build();

        try (LogCapture log = new LogCapture(Level.INFO)) {
            assertThat(status(CLIENT_DONT_FOLLOW)).isEqualTo(200);
            assertThat(status(CLIENT_DONT_FOLLOW)).isEqualTo(200);

            assertThat(log.messages(Level.INFO)).filteredOn(m -> m.contains("overrides the client's"))
                    .singleElement().satisfies(m -> assertThat(m).contains("'api'", "redirects", "FOLLOW", "DONT_FOLLOW"));
        }
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void theDefaultsBeatTheGlobalLayer() throws Exception {
        client = PoolClient.builder().defaults(DONT_FOLLOW).build();

        assertThat(status(RequestOptions.NONE.withGlobals(FOLLOW))).isEqualTo(302);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void theGlobalLayerBeatsTheBuiltInDefault() throws Exception {
        client = PoolClient.builder().build();

        assertThat(status(RequestOptions.NONE.withGlobals(DONT_FOLLOW))).isEqualTo(302);
        assertThat(status(RequestOptions.NONE)).isEqualTo(200);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void aPerClientValueEqualToTheMountsOwnIsNotLogged() throws Exception {
        client = PoolClient.builder().mount("api", "http://127.0.0.1:" + server.getPort() + "/", DONT_FOLLOW).build();

        try (LogCapture log = new LogCapture(Level.INFO)) {
            assertThat(status(CLIENT_DONT_FOLLOW)).isEqualTo(302);
            assertThat(log.messages(Level.INFO)).noneMatch(m -> m.contains("overrides the client's"));
        }
    }

    private int status(RequestOptions options) throws IOException {
        try (Response r = client.execute(Request.get(URI.create("http://127.0.0.1:" + server.getPort() + "/start")), options)) {
            r.body().readAllBytes();
            return r.status();
        }
    }
}
