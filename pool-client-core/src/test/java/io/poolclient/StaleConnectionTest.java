package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.poolclient.PoolSnapshot;
import io.poolclient.retry.Retry;
import io.poolclient.spring.PoolingClientHttpRequestFactory;
import io.poolclient.testing.FaultServer;
import io.poolclient.testing.FaultServer.Action;
import io.poolclient.testing.FaultServer.Fault;
import io.poolclient.testing.FaultServer.Received;
import io.poolclient.testing.FaultServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Keep-alive connections the server gave up on, the pool's drop check on checkout: a pooled
 * connection the server closed while idle is never handed out; a request that fails on a reused
 * connection before any response byte is retried once on a new connection when idempotent, without
 * touching the retry budget; the server's {@code Keep-Alive: timeout=}, {@code Connection: close}
 * and HTTP/1.0 are honoured, and so are {@code idle-timeout} and {@code max-lifetime}. The server is
 * a scripted {@link FaultServer}, so that every byte, every close and every connection is under the
 * test's control.
 */
@Timeout(30)
class StaleConnectionTest {

    private static final String MOUNT = "raw";

    private FaultServer server;
    private PoolClient client;
    private LogCapture logs;

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture(Level.DEBUG);
    }

    @AfterEach
    void stop() throws Exception {
        PoolAssertions.assertQuietThenClose(client, logs, server);
    }

    // ---- closed while idle -----------------------------------------------------------------

    @Test
    void aConnectionTheServerClosedWhileIdleIsNeverHandedOut() throws Exception {
        server = FaultServer.start(Reply.ok("ok", "Connection: keep-alive").thenClose());
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        awaitServerClosed(1);
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.received()).extracting(Received::connection).containsExactly(0, 1);
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.reused()).as("the dead connection was not handed out").isZero();
        assertThat(pool.requests()).isEqualTo(2);
        assertThat(pool.closedReasons()).isEqualTo(Map.of("stale", 1L));
        assertThat(transparentRetryLines()).as("found by the stale check, not by a failed exchange").isEmpty();
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsNotHandedOutToSpringEither() throws Exception {
        server = FaultServer.start(Reply.ok("ok").thenClose());
        useMount(MountSettings.EMPTY);
        RestClient rest = restClient();

        assertThat(rest.get().uri(url("/one")).retrieve().body(String.class)).isEqualTo("ok");
        awaitServerClosed(1);
        assertThat(rest.get().uri(url("/two")).retrieve().body(String.class)).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(pool().closedReasons()).containsEntry("stale", 1L);
    }

    // ---- closed on the next request, before any response byte ------------------------------

    /** Connection 0 answers its first request, then reads the second and closes without a byte. */
    private static Action dropSecondOnFirstConnection(Received req) {
        if (req.connection() == 0 && req.exchange() == 1) {
            return Fault.CLOSE_WITHOUT_ANSWER;
        }
        return Reply.ok("ok");
    }

    @Test
    void anIdempotentRequestOnAReusedConnectionIsRetriedOnceTransparently() throws Exception {
        server = FaultServer.builder().plan(StaleConnectionTest::dropSecondOnFirstConnection).start();
        useMount(MountSettings.builder().maxRetries(0).build());

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.received()).extracting(r -> r.connection() + ":" + r.exchange() + " " + r.target())
                .containsExactly("0:0 /one", "0:1 /two", "1:0 /two");
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.requests()).as("every attempt counted").isEqualTo(3);
        assertThat(pool.closedReasons()).isEqualTo(Map.of("error", 1L));
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(transparentRetryLines()).containsExactly("Reused connection to " + hostPort() + " (mount '" + MOUNT
                + "') was closed by the server before a response; retrying once on a new connection");
        assertThat(budgetRetryLines()).isEmpty();
    }

    @Test
    void theTransparentRetryGoesOnANewConnectionEvenWithOtherIdleOnes() throws Exception {
        // connections 0 and 1 answer once, then drop their next request; connection 2 is healthy
        server = FaultServer.builder().plan(req ->
                req.connection() < 2 && req.exchange() == 1 ? Fault.CLOSE_WITHOUT_ANSWER : Reply.ok("ok")).start();
        useMount(MountSettings.EMPTY);
        Response first = client.execute(Request.get(url("/a")));
        Response second = client.execute(Request.get(url("/b")));
        first.body().readAllBytes();
        second.body().readAllBytes();
        first.close();
        second.close();
        assertThat(pool().idle()).isEqualTo(2);

        assertThat(get("/c")).as("not retried on the other, equally dead, idle connection").isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(3);
        List<Received> requests = server.received();
        assertThat(requests).hasSize(4);
        assertThat(requests.get(2).exchange()).as("the reused connection got /c first").isEqualTo(1);
        assertThat(requests.get(3).connection()).as("then a brand-new connection").isEqualTo(2);
        assertThat(requests.get(3).target()).isEqualTo("/c");
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(3);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(pool.closedReasons()).isEqualTo(Map.of("error", 1L));
        assertThat(pool.idle()).isEqualTo(2);
    }

    @Test
    void theTransparentRetryDoesNotUseUpTheRetryBudget() throws Exception {
        server = FaultServer.builder().plan(req -> {
            if (req.connection() == 0 && req.exchange() == 1) {
                return Fault.CLOSE_WITHOUT_ANSWER;
            }
            if (req.connection() == 1 && req.exchange() == 0) {
                return Reply.status(503, "Service Unavailable", "busy");
            }
            return Reply.ok("ok");
        }).start();
        useMount(MountSettings.builder().retry(Retry.builder().total(1).statusForcelist(Set.of(503)).build()).build());

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).as("the 503 after the transparent retry is still retried").isEqualTo("ok");

        assertThat(server.received()).extracting(r -> r.connection() + ":" + r.exchange())
                .containsExactly("0:0", "0:1", "1:0", "1:1");
        assertThat(transparentRetryLines()).hasSize(1);
        assertThat(budgetRetryLines()).containsExactly("Retrying GET http://" + hostPort() + "/two through mount '" + MOUNT
                + "' after status 503; remaining retry budget: total=0");
        assertThat(pool().requests()).isEqualTo(4);
    }

    @Test
    void theTransparentRetryHappensOnlyOnce() throws Exception {
        server = FaultServer.builder().plan(req -> {
            if (req.connection() == 0 && req.exchange() == 0) {
                return Reply.ok("ok");
            }
            return Fault.CLOSE_WITHOUT_ANSWER;
        }).start();
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        assertThatThrownBy(() -> get("/two"))
                .isInstanceOf(ExchangeFailedException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount '" + MOUNT + "'")
                .hasMessageContaining("without sending a response");

        assertThat(server.received()).extracting(r -> r.connection() + ":" + r.exchange())
                .containsExactly("0:0", "0:1", "1:0");
        assertThat(transparentRetryLines()).hasSize(1);
        assertThat(pool().closedReasons()).isEqualTo(Map.of("error", 2L));
    }

    @Test
    void aPostInTheSameSituationIsNotRetriedAndFailsNamingHostAndMount() throws Exception {
        server = FaultServer.builder().plan(StaleConnectionTest::dropSecondOnFirstConnection).start();
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        Request post = new Request("POST", url("/orders"), List.of(new Header("Content-Type", "text/plain")),
                RequestBody.of("payload".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> client.execute(post))
                .isInstanceOf(IOException.class)
                .isInstanceOf(PoolClientException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount '" + MOUNT + "'")
                .satisfies(e -> {
                    assertThat(((PoolClientException) e).mount()).isEqualTo(MOUNT);
                    assertThat(((PoolClientException) e).host()).isEqualTo(hostPort());
                });

        assertThat(server.accepted()).as("no new connection for the POST").isEqualTo(1);
        assertThat(server.received()).extracting(r -> r.method() + " " + r.target() + " " + r.bodyText())
                .containsExactly("GET /one ", "POST /orders payload");
        assertThat(transparentRetryLines()).isEmpty();
        PoolSnapshot pool = pool();
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.idle()).isZero();
        assertThat(pool.closedReasons()).isEqualTo(Map.of("error", 1L));
    }

    @Test
    void springPostInTheSameSituationIsAResourceAccessExceptionAndNotRetried() throws Exception {
        server = FaultServer.builder().plan(StaleConnectionTest::dropSecondOnFirstConnection).start();
        useMount(MountSettings.EMPTY);
        RestClient rest = restClient();

        assertThat(rest.get().uri(url("/one")).retrieve().body(String.class)).isEqualTo("ok");
        assertThatThrownBy(() -> rest.post().uri(url("/orders")).contentType(MediaType.TEXT_PLAIN).body("payload")
                .retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .cause()
                .isInstanceOf(PoolClientException.class)
                .hasMessageContaining(hostPort())
                .hasMessageContaining("mount '" + MOUNT + "'");
        assertThat(server.accepted()).isEqualTo(1);
        assertThat(server.received()).hasSize(2);
    }

    @Test
    void springGetIsRetriedTransparentlyToo() throws Exception {
        server = FaultServer.builder().plan(StaleConnectionTest::dropSecondOnFirstConnection).start();
        useMount(MountSettings.EMPTY);
        RestClient rest = restClient();

        assertThat(rest.get().uri(url("/one")).retrieve().body(String.class)).isEqualTo("ok");
        assertThat(rest.get().uri(url("/two")).retrieve().body(String.class)).isEqualTo("ok");
        assertThat(server.received()).hasSize(3);
        assertThat(server.accepted()).isEqualTo(2);
    }

    // ---- the server's own word on reuse ----------------------------------------------------

    @Test
    void keepAliveTimeoutZeroMeansNotReusableAfterTheResponse() throws Exception {
        server = FaultServer.start(Reply.ok("ok", "Keep-Alive: timeout=0"));
        useMount(MountSettings.EMPTY);

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        PoolSnapshot pool = pool();
        assertThat(pool.reused()).isZero();
        assertThat(pool.idle()).isZero();
        assertThat(pool.closedReasons()).isEqualTo(Map.of("idle-timeout", 2L));
    }

    @Test
    void keepAliveTimeoutOneReusesAtOnceButExpiresTheIdleConnectionSoonAfter() throws Exception {
        server = FaultServer.start(Reply.ok("ok", "Keep-Alive: timeout=1, max=100"));
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", MountSettings.EMPTY)
                .housekeepingInterval(Duration.ofMillis(20))
                .build();

        assertThat(get("/one")).isEqualTo("ok");
        assertThat(get("/two")).isEqualTo("ok");
        assertThat(pool().reused()).as("within the server's keep-alive").isEqualTo(1);

        // the evictor closes it before the server's 1s would run out (bounded poll, no fixed sleep)
        awaitTrue(() -> pool().idle() == 0, "the idle connection expires after Keep-Alive: timeout=1");
        assertThat(pool().closedReasons()).isEqualTo(Map.of("idle-timeout", 1L));

        assertThat(get("/three")).isEqualTo("ok");
        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.received()).extracting(Received::connection).containsExactly(0, 0, 1);
    }

    @Test
    void connectionCloseAndHttp10AreNotReused() throws Exception {
        server = FaultServer.builder().plan(req -> req.target().equals("/close")
                ? Reply.ok("ok", "Connection: close")
                : Reply.raw("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")).start();
        useMount(MountSettings.EMPTY);

        assertThat(get("/close")).isEqualTo("ok");
        assertThat(get("/http10")).isEqualTo("ok");
        assertThat(get("/close")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(3);
        assertThat(pool().closedReasons()).isEqualTo(Map.of("not-reusable", 3L));
        assertThat(pool().reused()).isZero();
    }

    @Test
    void anIdleConnectionPastIdleTimeoutIsClosedAndNotReused() throws Exception {
        server = FaultServer.start(Reply.ok("ok"));
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", MountSettings.builder().idleTimeout(Duration.ofMillis(100)).build())
                .housekeepingInterval(Duration.ofMillis(10))
                .build();

        assertThat(get("/one")).isEqualTo("ok");
        awaitTrue(() -> pool().idle() == 0, "the idle connection passes idle-timeout");
        assertThat(pool().closedReasons()).isEqualTo(Map.of("idle-timeout", 1L));
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(pool().reused()).isZero();
    }

    @Test
    void aConnectionPastMaxLifetimeIsClosedAndNotReused() throws Exception {
        server = FaultServer.start(Reply.ok("ok"));
        client = PoolClient.builder()
                .mount(MOUNT, "http://" + hostPort() + "/", MountSettings.builder().maxLifetime(Duration.ofMillis(100)).build())
                .housekeepingInterval(Duration.ofMillis(10))
                .build();

        assertThat(get("/one")).isEqualTo("ok");
        awaitTrue(() -> pool().idle() == 0, "the connection passes max-lifetime");
        assertThat(pool().closedReasons()).isEqualTo(Map.of("max-lifetime", 1L));
        assertThat(get("/two")).isEqualTo("ok");

        assertThat(server.accepted()).isEqualTo(2);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void useMount(MountSettings settings) {
        client = PoolClient.builder().mount(MOUNT, "http://" + hostPort() + "/", settings).build();
    }

    private RestClient restClient() {
        return RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(client)).build();
    }

    private String hostPort() {
        return "127.0.0.1:" + server.port();
    }

    private URI url(String path) {
        return URI.create("http://" + hostPort() + path);
    }

    private String get(String path) throws IOException {
        try (Response r = client.execute(Request.get(url(path)))) {
            assertThat(r.status()).isEqualTo(200);
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private PoolSnapshot pool() {
        return client.snapshot(MOUNT).orElseThrow().pools().get(0);
    }

    private List<String> transparentRetryLines() {
        return logs.messages(Level.DEBUG).stream().filter(m -> m.startsWith("Reused connection to ")).toList();
    }

    private List<String> budgetRetryLines() {
        return logs.messages(Level.INFO).stream().filter(m -> m.startsWith("Retrying ")).toList();
    }

    /** Waits (bounded) until the server has closed {@code n} connections itself. */
    private void awaitServerClosed(int n) throws InterruptedException {
        awaitTrue(() -> server.closedByServer() >= n, "the server closed " + n + " connection(s)");
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }
}
