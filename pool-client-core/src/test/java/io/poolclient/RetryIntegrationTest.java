package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import io.poolclient.PoolSnapshot;
import io.poolclient.retry.Retry;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.MediaType;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * The retry policy end to end (its settings, its log lines and the errors it ends with), through
 * {@link PoolClient#execute} and through Spring's {@link RestClient} over the pooling factory, against
 * a MockWebServer on loopback. Every retry must show up as a request the server really received and
 * as one INFO line naming the reason and the remaining budget; after every test no connection is
 * left leased and every pool's counters add up.
 */
@Timeout(30)
class RetryIntegrationTest {

    private static final String MOUNT = "api";

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;
    private LogCapture logs;

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getLoopbackAddress(), 0);
        logs = new LogCapture(Level.INFO);
    }

    @AfterEach
    void checkPoolsAndStop() {
        try {
            if (client != null) {
                for (MountSnapshot mount : client.snapshot().mounts()) {
                    for (PoolSnapshot p : mount.pools()) {
                        assertThat(p.leased()).as("leased in %s %s:%d", mount.name(), p.host(), p.port()).isZero();
                        assertThat(p.opened()).as("opened = idle + leased + discarded + closed in %s: %s", mount.name(), p)
                                .isEqualTo(p.idle() + p.leased() + p.discarded() + p.closed());
                    }
                }
            }
        }
        finally {
            logs.close();
            if (client != null) {
                client.close();
            }
            server.close();
        }
    }

    // ---- status-forcelist ------------------------------------------------------------------

    @Test
    void forcelistStatusIsRetriedUpToTotalThenTheLastResponseIsReturned() throws Exception {
        useRetry(Retry.builder().total(2).statusForcelist(Set.of(503)).build());
        enqueue(503, "first", 503, "second", 503, "third", 200, "never asked for");

        try (Response r = client.execute(Request.get(url("/r")))) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(body(r)).isEqualTo("third");
            assertThat(r.mount()).isEqualTo(MOUNT);
        }

        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(connectionsOf(3)).as("retried responses are drained, the connection is reused").isEqualTo(1);
        assertThat(retryLines()).containsExactly(
                retryLine("GET", "/r", "status 503", "total=1"),
                retryLine("GET", "/r", "status 503", "total=0"));
        PoolSnapshot pool = pool();
        assertThat(pool.requests()).isEqualTo(3);
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(2);
    }

    @Test
    void forcelistStatusThatRecoversReturnsTheGoodResponse() throws Exception {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(502, 503)).build());
        enqueue(502, "bad gateway", 503, "unavailable", 200, "ok");

        try (Response r = client.execute(Request.get(url("/r")))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(body(r)).isEqualTo("ok");
        }

        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(retryLines()).containsExactly(
                retryLine("GET", "/r", "status 502", "total=2"),
                retryLine("GET", "/r", "status 503", "total=1"));
    }

    @Test
    void raiseOnStatusThrowsRetriesExhaustedAfterTheLastAttempt() throws Exception {
        useRetry(Retry.builder().total(2).statusForcelist(Set.of(503)).raiseOnStatus(true).build());
        enqueue(503, "a", 503, "b", 503, "c", 200, "never asked for");

        assertThatThrownBy(() -> client.execute(Request.get(url("/r"))))
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("Max retries exceeded (3 attempts)")
                .hasMessageContaining("GET http://" + hostPort() + "/r")
                .hasMessageContaining("mount '" + MOUNT + "'")
                .hasMessageContaining("503")
                .satisfies(e -> {
                    RetriesExhaustedException x = (RetriesExhaustedException) e;
                    assertThat(x.attempts()).isEqualTo(3);
                    assertThat(x.mount()).isEqualTo(MOUNT);
                    assertThat(x.host()).isEqualTo(hostPort());
                });
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(retryLines()).hasSize(2);
    }

    @Test
    void statusBudgetBoundsStatusRetriesBelowTotal() throws Exception {
        useRetry(Retry.builder().total(5).status(1).statusForcelist(Set.of(503)).build());
        enqueue(503, "a", 503, "b", 200, "never asked for");

        try (Response r = client.execute(Request.get(url("/r")))) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(body(r)).isEqualTo("b");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(retryLines()).containsExactly(retryLine("GET", "/r", "status 503", "total=4, status=0"));
    }

    @Test
    void springRestClientRetriesForcelistStatus() {
        useRetry(Retry.builder().total(2).statusForcelist(Set.of(503)).build());
        enqueue(503, "first", 503, "second", 200, "done");

        String body = restClient().get().uri(url("/spring")).retrieve().body(String.class);

        assertThat(body).isEqualTo("done");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(retryLines()).hasSize(2);
    }

    @Test
    void springStatusHandlersSeeTheLastResponseWhenRaiseOnStatusIsOff() {
        useRetry(Retry.builder().total(2).statusForcelist(Set.of(503)).build());
        enqueue(503, "first", 503, "second", 503, "third");

        assertThatThrownBy(() -> restClient().get().uri(url("/spring")).retrieve().body(String.class))
                .isInstanceOf(HttpServerErrorException.ServiceUnavailable.class)
                .satisfies(e -> assertThat(((HttpServerErrorException) e).getResponseBodyAsString()).isEqualTo("third"));
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void springSeesRetriesExhaustedAsResourceAccessExceptionWhenRaiseOnStatusIsOn() {
        useRetry(Retry.builder().total(1).statusForcelist(Set.of(503)).raiseOnStatus(true).build());
        enqueue(503, "first", 503, "second");

        assertThatThrownBy(() -> restClient().get().uri(url("/spring")).retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("Max retries exceeded (2 attempts)")
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount '" + MOUNT + "'");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    // ---- allowed methods -------------------------------------------------------------------

    @Test
    void postWithAForcelistStatusIsNotRetriedByDefault() throws Exception {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(503)).build());
        enqueue(503, "busy", 200, "never asked for");

        try (Response r = client.execute(post("/orders", "payload"))) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(body(r)).isEqualTo("busy");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void postIsRetriedWhenAllowedMethodsIncludePostAndTheBodyIsResent() throws Exception {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(503)).allowedMethods(Set.of("GET", "POST")).build());
        enqueue(503, "busy", 200, "created");

        try (Response r = client.execute(post("/orders", "payload"))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(body(r)).isEqualTo("created");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            RecordedRequest rec = take();
            assertThat(rec.getMethod()).isEqualTo("POST");
            assertThat(rec.getBody().utf8()).isEqualTo("payload");
        }
        assertThat(retryLines()).containsExactly(retryLine("POST", "/orders", "status 503", "total=2"));
    }

    @Test
    void aOneShotBodyIsNotResentEvenWhenPostIsAllowed() throws Exception {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(503)).allowedMethods(Set.of("POST")).build());
        enqueue(503, "busy", 200, "never asked for");
        RequestBody oneShot = new RequestBody() {
            private boolean written;

            @Override
            public long contentLength() {
                return 7;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                if (written) {
                    throw new IOException("written twice");
                }
                written = true;
                out.write("payload".getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public boolean isReplayable() {
                return !written;
            }
        };

        try (Response r = client.execute(new Request("POST", url("/orders"), List.of(), oneShot))) {
            assertThat(r.status()).isEqualTo(503);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void springPostIsNotRetriedByDefaultAndSpringSeesTheStatus() {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(503)).build());
        enqueue(503, "busy", 200, "never asked for");

        assertThatThrownBy(() -> restClient().post().uri(url("/orders")).contentType(MediaType.TEXT_PLAIN)
                .body("payload").retrieve().body(String.class))
                .isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void springPostIsRetriedWhenAllowedAndSendsTheSameBodyEachTime() throws Exception {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(503)).allowedMethods(Set.of("POST")).build());
        enqueue(503, "busy", 503, "busy", 200, "created");

        String body = restClient().post().uri(url("/orders")).contentType(MediaType.TEXT_PLAIN)
                .body("payload").retrieve().body(String.class);

        assertThat(body).isEqualTo("created");
        assertThat(server.getRequestCount()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(take().getBody().utf8()).isEqualTo("payload");
        }
    }

    @Test
    void springOneShotBodyWithinTheRecordLimitIsResentFromItsRecording() throws Exception {
        useRetry(Retry.builder().total(2).statusForcelist(Set.of(503)).allowedMethods(Set.of("POST")).build());
        enqueue(503, "busy", 200, "created");
        byte[] payload = bytes(50 * 1024);
        AtomicInteger writes = new AtomicInteger();

        String body = restClient().post().uri(url("/upload")).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(out -> {
                    writes.incrementAndGet();
                    out.write(payload);
                })
                .retrieve().body(String.class);

        assertThat(body).isEqualTo("created");
        assertThat(writes).as("a one-shot body is written once and replayed from its recording").hasValue(1);
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(take().getBody().toByteArray()).isEqualTo(payload);
        assertThat(take().getBody().toByteArray()).isEqualTo(payload);
    }

    @Test
    void springOneShotBodyOverTheRecordLimitIsNotResent() {
        useRetry(Retry.builder().total(2).statusForcelist(Set.of(503)).allowedMethods(Set.of("POST")).build());
        enqueue(503, "busy", 200, "never asked for");
        byte[] payload = bytes(200 * 1024);

        assertThatThrownBy(() -> restClient().post().uri(url("/upload")).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(out -> out.write(payload))
                .retrieve().body(String.class))
                .isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void userInfoAndQueryNeverAppearInRetryLogsOrErrors() {
        useRetry(Retry.builder().total(1).statusForcelist(Set.of(503)).raiseOnStatus(true).build());
        enqueue(503, "busy", 503, "busy");
        URI secret = URI.create("http://alice:s3cr3t@" + hostPort() + "/r?token=t0k3n");

        assertThatThrownBy(() -> client.execute(Request.get(secret)))
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("GET http://" + hostPort() + "/r")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t").doesNotContain("alice")
                        .doesNotContain("t0k3n"));
        assertThat(retryLines()).containsExactly(retryLine("GET", "/r", "status 503", "total=0"));
        assertThat(logs.messages(Level.TRACE)).noneMatch(m -> m.contains("s3cr3t") || m.contains("t0k3n"));
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    // ---- connect failures ------------------------------------------------------------------

    @Test
    void connectFailuresAreRetriedMaxRetriesTimesThenExhausted() throws Exception {
        int port = refusedPort();
        String hostPort = "127.0.0.1:" + port;
        client = PoolClient.builder()
                .mount("down", "http://" + hostPort + "/", MountSettings.builder().maxRetries(2).build())
                .build();

        assertThatThrownBy(() -> client.execute(Request.get(URI.create("http://" + hostPort + "/x"))))
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("Max retries exceeded (3 attempts)")
                .hasMessageContaining(hostPort)
                .hasMessageContaining("mount 'down'")
                .satisfies(e -> assertThat(((RetriesExhaustedException) e).attempts()).isEqualTo(3))
                .cause()
                .isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining(hostPort)
                .hasMessageContaining("mount 'down'");

        List<String> lines = retryLines();
        assertThat(lines).hasSize(2);
        String prefix = "Retrying GET http://" + hostPort + "/x through mount 'down' after ";
        assertThat(lines.get(0)).startsWith(prefix).contains("connect").contains(hostPort)
                .endsWith("; remaining retry budget: total=1, read=0, status=0");
        assertThat(lines.get(1)).startsWith(prefix).endsWith("; remaining retry budget: total=0, read=0, status=0");
        PoolSnapshot pool = client.snapshot("down").orElseThrow().pools().get(0);
        assertThat(pool.opened()).as("failed connects are not counted").isZero();
        assertThat(pool.requests()).isZero();
    }

    @Test
    void connectFailuresAreRetriedForPostTooBecauseNothingWasSent() throws Exception {
        int port = refusedPort();
        client = PoolClient.builder()
                .mount("down", "http://127.0.0.1:" + port + "/", MountSettings.builder().maxRetries(1).build())
                .build();

        assertThatThrownBy(() -> client.execute(new Request("POST", URI.create("http://127.0.0.1:" + port + "/x"),
                List.of(), RequestBody.of("payload".getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOf(RetriesExhaustedException.class)
                .satisfies(e -> assertThat(((RetriesExhaustedException) e).attempts()).isEqualTo(2))
                .cause().isInstanceOf(ConnectFailedException.class);
        assertThat(retryLines()).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("Retrying POST "));
    }

    @Test
    void withoutRetriesTheConnectFailureItselfIsReported() {
        int port = refusedPort();
        client = PoolClient.builder()
                .mount("down", "http://127.0.0.1:" + port + "/", MountSettings.EMPTY)
                .build();

        assertThatThrownBy(() -> client.execute(Request.get(URI.create("http://127.0.0.1:" + port + "/x"))))
                .isExactlyInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("mount 'down'");
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void springSeesConnectRetriesExhaustedAsResourceAccessException() {
        int port = refusedPort();
        client = PoolClient.builder()
                .mount("down", "http://127.0.0.1:" + port + "/", MountSettings.builder().maxRetries(2).build())
                .build();

        assertThatThrownBy(() -> restClient().get().uri("http://127.0.0.1:" + port + "/x").retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("mount 'down'")
                .cause()
                .isInstanceOf(ConnectFailedException.class);
        assertThat(retryLines()).hasSize(2);
    }

    @Test
    void maxRetriesNeverRetriesAStatusEvenWithRetryAfter() throws Exception {
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", MountSettings.builder().maxRetries(3).build())
                .build();
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0").body("busy").build());
        enqueue(200, "never asked for");

        try (Response r = client.execute(Request.get(url("/r")))) {
            assertThat(r.status()).isEqualTo(503);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(retryLines()).isEmpty();
    }

    // ---- read timeouts ---------------------------------------------------------------------

    @Test
    void readTimeoutOnGetIsRetriedWhenTheReadBudgetAllows() throws Exception {
        useRetry(MountSettings.builder().readTimeout(Duration.ofMillis(150)),
                Retry.builder().total(3).read(1).build());
        server.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body("late").build());
        enqueue(200, "ok");

        try (Response r = client.execute(Request.get(url("/slow")))) {
            assertThat(body(r)).isEqualTo("ok");
        }

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(connectionsOf(2)).as("a timed-out connection is never reused").isEqualTo(2);
        assertThat(retryLines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("Retrying GET http://" + hostPort() + "/slow through mount 'api' after Read timed out after 150 ms")
                .endsWith("; remaining retry budget: total=2, read=0"));
        assertThat(pool().closedReasons()).containsEntry("error", 1L);
    }

    @Test
    void readTimeoutsBeyondTheReadBudgetExhaustTheRetries() {
        useRetry(MountSettings.builder().readTimeout(Duration.ofMillis(100)),
                Retry.builder().total(3).read(1).build());
        server.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body("late").build());
        server.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body("late").build());
        enqueue(200, "never asked for");

        assertThatThrownBy(() -> client.execute(Request.get(url("/slow"))))
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessageContaining("Max retries exceeded (2 attempts)")
                .cause()
                .isInstanceOf(ReadTimeoutException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount 'api'");
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(retryLines()).hasSize(1);
    }

    @Test
    void readTimeoutOnPostIsNotRetried() {
        useRetry(MountSettings.builder().readTimeout(Duration.ofMillis(150)), Retry.builder().total(3).build());
        server.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body("late").build());
        enqueue(200, "never asked for");

        assertThatThrownBy(() -> client.execute(post("/orders", "payload")))
                .isExactlyInstanceOf(ReadTimeoutException.class)
                .hasMessageContaining("Read timed out after 150 ms")
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount 'api'");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(retryLines()).isEmpty();
        assertThat(pool().requests()).isEqualTo(1);
    }

    @Test
    void springPostReadTimeoutIsAResourceAccessExceptionAndNotRetried() {
        useRetry(MountSettings.builder().readTimeout(Duration.ofMillis(150)), Retry.builder().total(3).build());
        server.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body("late").build());
        enqueue(200, "never asked for");

        assertThatThrownBy(() -> restClient().post().uri(url("/orders")).contentType(MediaType.TEXT_PLAIN)
                .body("payload").retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(ReadTimeoutException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount 'api'");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aBodyReadTimeoutReachesTheReaderAndFreesTheConnection() throws Exception {
        useRetry(MountSettings.builder().readTimeout(Duration.ofMillis(150)), Retry.builder().total(3).build());
        server.enqueue(new MockResponse.Builder().bodyDelay(1, TimeUnit.SECONDS).body("late body").build());

        try (Response r = client.execute(Request.get(url("/slow-body")))) {
            assertThat(r.status()).isEqualTo(200);
            assertThatThrownBy(() -> r.body().readAllBytes())
                    .isInstanceOf(ReadTimeoutException.class)
                    .hasMessageContaining("reading the response body")
                    .hasMessageContaining(hostPort());
            assertThat(pool().leased()).as("the failed read ended the lease").isZero();
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(pool().closedReasons()).containsEntry("error", 1L);
    }

    // ---- Retry-After and backoff -----------------------------------------------------------

    @Test
    void retryAfterStatusesAreRetriedWithoutAForcelist() throws Exception {
        useRetry(Retry.builder().total(3).build());
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0").body("busy").build());
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "0").body("slow down").build());
        enqueue(200, "ok");

        try (Response r = client.execute(Request.get(url("/limited")))) {
            assertThat(body(r)).isEqualTo("ok");
        }
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(retryLines()).containsExactly(
                retryLine("GET", "/limited", "status 503", "total=2"),
                retryLine("GET", "/limited", "status 429", "total=1"));
    }

    @Test
    void retryAfterStatusWithoutTheHeaderIsNotRetried() throws Exception {
        useRetry(Retry.builder().total(3).build());
        enqueue(429, "slow down", 200, "never asked for");

        try (Response r = client.execute(Request.get(url("/limited")))) {
            assertThat(r.status()).isEqualTo(429);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void retryAfterIsNotHonouredForPostNorWhenSwitchedOff() throws Exception {
        useRetry(Retry.builder().total(3).build());
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "0").body("slow down").build());
        try (Response r = client.execute(post("/orders", "payload"))) {
            assertThat(r.status()).isEqualTo(429);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
        client.close();

        useRetry(Retry.builder().total(3).respectRetryAfter(false).build());
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0").body("busy").build());
        try (Response r = client.execute(Request.get(url("/limited")))) {
            assertThat(r.status()).isEqualTo(503);
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(retryLines()).isEmpty();
    }

    @Test
    void aLongRetryAfterIsCappedByBackoffMax() {
        useRetry(Retry.builder().total(2).backoffMax(Duration.ofMillis(30)).build());
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "3600").body("busy").build());
        enqueue(200, "ok");

        String body = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (Response r = client.execute(Request.get(url("/limited")))) {
                return body(r);
            }
        }, "a Retry-After of an hour must be capped at backoff-max (30ms)");

        assertThat(body).isEqualTo("ok");
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(retryLines()).containsExactly(retryLine("GET", "/limited", "status 503", "total=1"));
    }

    @Test
    void retryAfterAsAnHttpDateInThePastRetriesAtOnce() throws Exception {
        useRetry(Retry.builder().total(1).build());
        server.enqueue(new MockResponse.Builder().code(503)
                .addHeader("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT").body("busy").build());
        enqueue(200, "ok");

        try (Response r = client.execute(Request.get(url("/limited")))) {
            assertThat(body(r)).isEqualTo("ok");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void backoffWithATinyFactorRunsEveryAttempt() throws Exception {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(503)).backoffFactor(Duration.ofMillis(1)).build());
        enqueue(503, "1", 503, "2", 503, "3", 503, "4", 200, "never asked for");

        try (Response r = client.execute(Request.get(url("/b")))) {
            assertThat(r.status()).isEqualTo(503);
            assertThat(body(r)).isEqualTo("4");
        }
        assertThat(server.getRequestCount()).isEqualTo(4);
        assertThat(retryLines()).containsExactly(
                retryLine("GET", "/b", "status 503", "total=2"),
                retryLine("GET", "/b", "status 503", "total=1"),
                retryLine("GET", "/b", "status 503", "total=0"));
    }

    @Test
    void backoffIsCappedByBackoffMax() {
        useRetry(Retry.builder().total(3).statusForcelist(Set.of(503))
                .backoffFactor(Duration.ofHours(1)).backoffMax(Duration.ofMillis(20)).build());
        enqueue(503, "1", 503, "2", 503, "3", 200, "ok");

        String body = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (Response r = client.execute(Request.get(url("/b")))) {
                return body(r);
            }
        }, "an hour-long backoff must be capped at backoff-max (20ms)");

        assertThat(body).isEqualTo("ok");
        assertThat(server.getRequestCount()).isEqualTo(4);
        assertThat(retryLines()).hasSize(3);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void useRetry(Retry retry) {
        useRetry(MountSettings.builder(), retry);
    }

    private void useRetry(MountSettings.Builder settings, Retry retry) {
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", settings.retry(retry).build())
                .build();
    }

    private RestClient restClient() {
        return RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(client)).build();
    }

    private String hostPort() {
        return "127.0.0.1:" + server.getPort();
    }

    private URI url(String path) {
        return URI.create("http://" + hostPort() + path);
    }

    private Request post(String path, String body) {
        return new Request("POST", url(path), List.of(new Header("Content-Type", "text/plain")),
                RequestBody.of(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Enqueues (status, body) pairs. */
    private void enqueue(Object... statusAndBody) {
        for (int i = 0; i < statusAndBody.length; i += 2) {
            server.enqueue(new MockResponse.Builder().code((Integer) statusAndBody[i])
                    .body((String) statusAndBody[i + 1]).build());
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static String body(Response r) throws IOException {
        return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the server").isNotNull();
        return r;
    }

    private int connectionsOf(int requests) throws InterruptedException {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            ids.add(take().getConnectionIndex());
        }
        return ids.size();
    }

    private PoolSnapshot pool() {
        return client.snapshot(MOUNT).orElseThrow().pools().get(0);
    }

    private List<String> retryLines() {
        List<String> lines = new ArrayList<>();
        for (String m : logs.messages(Level.INFO)) {
            if (m.startsWith("Retrying ")) {
                lines.add(m);
            }
        }
        return lines;
    }

    private String retryLine(String method, String path, String reason, String remaining) {
        return "Retrying " + method + " http://" + hostPort() + path + " through mount '" + MOUNT + "' after " + reason
                + "; remaining retry budget: " + remaining;
    }

    private static int refusedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
