package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.PoolSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redirects (the mount setting {@code redirects}): followed up to {@code max-redirects};
 * {@code Authorization} and {@code Cookie} dropped when a redirect changes scheme, host or port and
 * kept on the same origin; 303 (and 301/302 after POST) becomes a GET without body; 307 resends a
 * replayable body and is returned as it is when the body cannot be replayed; {@code dont-follow}
 * returns the 3xx. Redirect responses are drained, so their connection is reused.
 */
@Timeout(30)
class RedirectTest {

    private final MockWebServer a = new MockWebServer();
    private final MockWebServer b = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        a.start(InetAddress.getLoopbackAddress(), 0);
        b.start(InetAddress.getLoopbackAddress(), 0);
        client = PoolClient.builder().mount("r", "http://127.0.0.1:" + a.getPort() + "/",
                MountSettings.builder().maxRedirects(3).build()).build();
    }

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, a, b);
    }

    @Test
    void redirectsAreFollowedUpToMaxRedirects() throws Exception {
        for (int i = 0; i < 5; i++) {
            a.enqueue(redirect(302, "/loop/" + i));
        }

        assertThatThrownBy(() -> client.execute(Request.get(url(a, "/start"))))
                .isExactlyInstanceOf(TooManyRedirectsException.class)
                .hasMessage("Exceeded 3 redirects (max-redirects) for GET http://127.0.0.1:" + a.getPort()
                        + "/start through mount 'r'");

        assertThat(a.getRequestCount()).as("the request and 3 redirects").isEqualTo(4);
        PoolSnapshot pool = onlyPool(client, "r");
        assertThat(pool.opened()).as("redirect bodies drained: one connection").isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(3);
    }

    @Test
    void followingWithinTheCapReturnsTheFinalResponse() throws Exception {
        a.enqueue(redirect(301, "/two"));
        a.enqueue(redirect(308, "/three"));
        a.enqueue(redirect(302, "/four"));
        a.enqueue(new MockResponse.Builder().body("landed").build());

        try (Response r = client.execute(Request.get(url(a, "/one")))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().readAllBytes()).asString().isEqualTo("landed");
        }
        assertThat(a.getRequestCount()).isEqualTo(4);
    }

    @Test
    void authorizationAndCookieAreDroppedWhenThePortChanges() throws Exception {
        a.enqueue(redirect(302, "http://127.0.0.1:" + b.getPort() + "/landing"));
        b.enqueue(new MockResponse.Builder().body("b").build());

        assertThat(getWithCredentials(url(a, "/start"))).isEqualTo("b");

        RecordedRequest first = a.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest landing = b.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer secret-token");
        assertThat(landing.getTarget()).isEqualTo("/landing");
        assertThat(landing.getHeaders().get("Authorization")).isNull();
        assertThat(landing.getHeaders().get("Cookie")).isNull();
        assertThat(landing.getHeaders().get("X-Trace")).as("other headers are kept").isEqualTo("t-1");
    }

    @Test
    void authorizationAndCookieAreDroppedWhenTheHostChanges() throws Exception {
        // same server and port, another host name
        a.enqueue(redirect(302, "http://localhost:" + a.getPort() + "/landing"));
        a.enqueue(new MockResponse.Builder().body("same server, other host").build());

        getWithCredentials(url(a, "/start"));

        a.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest landing = a.takeRequest(5, TimeUnit.SECONDS);
        assertThat(landing.getHeaders().get("Host")).isEqualTo("localhost:" + a.getPort());
        assertThat(landing.getHeaders().get("Authorization")).isNull();
        assertThat(landing.getHeaders().get("Cookie")).isNull();
        assertThat(landing.getHeaders().get("X-Trace")).isEqualTo("t-1");
    }

    @Test
    void authorizationAndCookieAreKeptOnTheSameOrigin() throws Exception {
        a.enqueue(redirect(302, "/landing"));
        a.enqueue(new MockResponse.Builder().body("same origin").build());

        getWithCredentials(url(a, "/start"));

        a.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest landing = a.takeRequest(5, TimeUnit.SECONDS);
        assertThat(landing.getTarget()).isEqualTo("/landing");
        assertThat(landing.getHeaders().get("Authorization")).isEqualTo("Bearer secret-token");
        assertThat(landing.getHeaders().get("Cookie")).isEqualTo("session=abc");
    }

    @Test
    void see303TurnsAPostIntoAGetWithoutBody() throws Exception {
        a.enqueue(redirect(303, "/result"));
        a.enqueue(new MockResponse.Builder().body("result").build());

        try (Response r = client.execute(post(url(a, "/orders"), RequestBody.of(bytes("order=1"))))) {
            assertThat(r.body().readAllBytes()).asString().isEqualTo("result");
        }

        RecordedRequest posted = a.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest followed = a.takeRequest(5, TimeUnit.SECONDS);
        assertThat(posted.getMethod()).isEqualTo("POST");
        assertThat(posted.getBody().utf8()).isEqualTo("order=1");
        assertThat(followed.getMethod()).isEqualTo("GET");
        assertThat(followed.getTarget()).isEqualTo("/result");
        assertThat(followed.getBodySize()).isZero();
        assertThat(followed.getHeaders().get("Content-Length")).isNull();
        assertThat(followed.getHeaders().get("Content-Type")).isNull();
        assertThat(followed.getHeaders().get("Transfer-Encoding")).isNull();
    }

    @Test
    void temporaryRedirect307ResendsAReplayableBody() throws Exception {
        a.enqueue(redirect(307, "http://127.0.0.1:" + b.getPort() + "/orders"));
        b.enqueue(new MockResponse.Builder().code(201).body("created").build());

        try (Response r = client.execute(post(url(a, "/orders"), RequestBody.of(bytes("order=1"))))) {
            assertThat(r.status()).isEqualTo(201);
            r.body().readAllBytes();
        }

        RecordedRequest resent = b.takeRequest(5, TimeUnit.SECONDS);
        assertThat(resent.getMethod()).isEqualTo("POST");
        assertThat(resent.getBody().utf8()).isEqualTo("order=1");
        assertThat(resent.getHeaders().get("Content-Type")).isEqualTo("text/plain");
    }

    @Test
    void temporaryRedirect307WithAOneShotBodyIsReturnedAsItIs() throws Exception {
        a.enqueue(redirect(307, "/elsewhere"));
        RequestBody oneShot = new RequestBody() {
            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes("streamed"));
            }

            @Override
            public boolean isReplayable() {
                return false;
            }
        };

        try (Response r = client.execute(post(url(a, "/orders"), oneShot))) {
            assertThat(r.status()).isEqualTo(307);
            assertThat(r.header("Location")).isEqualTo("/elsewhere");
        }
        assertThat(a.getRequestCount()).isEqualTo(1);
    }

    @Test
    void dontFollowReturnsTheRedirect() throws Exception {
        client.close();
        client = PoolClient.builder().mount("r", "http://127.0.0.1:" + a.getPort() + "/",
                MountSettings.builder().redirects(Redirects.DONT_FOLLOW).build()).build();
        a.enqueue(redirect(302, "/elsewhere"));

        try (Response r = client.execute(Request.get(url(a, "/start")))) {
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location")).isEqualTo("/elsewhere");
        }
        assertThat(a.getRequestCount()).isEqualTo(1);
        assertThat(onlyPool(client, "r").idle()).isEqualTo(1);
    }

    @Test
    void dontFollowFromTheCallersOptionsAppliesWhenTheMountLeavesItUnset() throws Exception {
        a.enqueue(redirect(302, "/elsewhere"));
        RequestOptions dontFollow = new RequestOptions(null, null, Redirects.DONT_FOLLOW, null, null);

        try (Response r = client.execute(Request.get(url(a, "/start")), dontFollow)) {
            assertThat(r.status()).isEqualTo(302);
        }
        assertThat(a.getRequestCount()).isEqualTo(1);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private String getWithCredentials(URI uri) throws IOException {
        Request request = new Request("GET", uri, List.of(new Header("Authorization", "Bearer secret-token"),
                new Header("Cookie", "session=abc"), new Header("X-Trace", "t-1")), null);
        try (Response r = client.execute(request)) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Request post(URI uri, RequestBody body) {
        return new Request("POST", uri, List.of(new Header("Content-Type", "text/plain")), body);
    }

    private static MockResponse redirect(int status, String location) {
        return new MockResponse.Builder().code(status).addHeader("Location", location).body("moved").build();
    }

    private static URI url(MockWebServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + path);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
