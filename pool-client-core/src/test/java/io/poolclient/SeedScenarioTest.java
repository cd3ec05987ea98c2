package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.poolclient.PoolSnapshot;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed scenarios of requests/urllib3 pooling (mounts, per-host pools, pool-maxsize, pool-block),
 * each counting the TCP connections the
 * server really accepted. A lease is held by keeping a response open, which is exactly what a
 * concurrent caller in the middle of its exchange does.
 */
@Timeout(30)
class SeedScenarioTest {

    private final MockWebServer a = new MockWebServer();
    private final MockWebServer b = new MockWebServer();
    private PoolClient client;

    @BeforeEach
    void start() throws IOException {
        a.start();
        b.start();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        a.close();
        b.close();
    }

    @Test
    void poolConnectionsOneWithHostsABAOpensThreeConnections() throws Exception {
        client = PoolClient.builder().defaults(MountSettings.builder().poolConnections(1).build()).build();
        enqueueOk(a, 2);
        enqueueOk(b, 1);

        getAndRead(a);
        getAndRead(b);
        getAndRead(a);

        assertThat(connections(a, 2) + connections(b, 1)).isEqualTo(3);
        MountSnapshot http = client.snapshot().mount("http").orElseThrow();
        assertThat(http.poolsEvicted()).isEqualTo(2);
        assertThat(http.pools()).singleElement().satisfies(p -> assertThat(p.port()).isEqualTo(a.getPort()));
    }

    @Test
    void poolConnectionsTwoWithHostsABAOpensTwoConnections() throws Exception {
        client = PoolClient.builder().defaults(MountSettings.builder().poolConnections(2).build()).build();
        enqueueOk(a, 2);
        enqueueOk(b, 1);

        getAndRead(a);
        getAndRead(b);
        getAndRead(a);

        assertThat(connections(a, 2) + connections(b, 1)).isEqualTo(2);
        assertThat(client.snapshot().mount("http").orElseThrow().poolsEvicted()).isZero();
        PoolSnapshot poolA = pool("http", a);
        assertThat(poolA.opened()).isEqualTo(1);
        assertThat(poolA.reused()).isEqualTo(1);
    }

    @Test
    void twoConcurrentCallersThenTwoMoreUseTwoConnectionsAtMaxsizeTwo() throws Exception {
        client = PoolClient.builder().defaults(MountSettings.builder().poolMaxsize(2).build()).build();
        enqueueOk(a, 4);

        List<Response> first = List.of(get(a), get(a));
        first.forEach(Response::close);
        List<Response> second = List.of(get(a), get(a));
        second.forEach(Response::close);

        assertThat(connections(a, 4)).isEqualTo(2);
        PoolSnapshot pool = pool("http", a);
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.reused()).isEqualTo(2);
        assertThat(pool.discarded()).isZero();
        assertThat(pool.idle()).isEqualTo(2);
        assertThat(pool.leased()).isZero();
    }

    @Test
    void overflowPastMaxsizeOneOpensAThirdConnectionAndDiscardsWithWarn() throws Exception {
        client = PoolClient.builder().defaults(MountSettings.builder().poolMaxsize(1).build()).build();
        enqueueOk(a, 4);
        try (LogCapture logs = new LogCapture(Level.WARN)) {
            List<Response> first = List.of(get(a), get(a));
            first.forEach(Response::close);
            List<Response> second = List.of(get(a), get(a));
            second.forEach(Response::close);

            assertThat(connections(a, 4)).isEqualTo(3);
            String hostPort = "127.0.0.1:" + a.getPort();
            assertThat(logs.messages(Level.WARN)).contains(
                    "Connection pool is full, discarding connection: " + hostPort + ". Connection pool size: 1");
        }
        PoolSnapshot pool = pool("http", a);
        assertThat(pool.opened()).isEqualTo(3);
        assertThat(pool.discarded()).isEqualTo(2);
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(pool.opened()).isEqualTo(pool.idle() + pool.leased() + pool.discarded() + pool.closed());
    }

    @Test
    void concurrentThreadsReallyOverflowTheSameWay() throws Exception {
        client = PoolClient.builder().defaults(MountSettings.builder().poolMaxsize(1).build()).build();
        enqueueOk(a, 2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            // both threads hold their response until both have one: two leases at once, for real
            java.util.concurrent.CountDownLatch leased = new java.util.concurrent.CountDownLatch(2);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(threads.submit(() -> {
                    try (Response r = get(a)) {
                        leased.countDown();
                        leased.await(10, TimeUnit.SECONDS);
                        r.body().readAllBytes();
                    }
                    return null;
                }));
            }
            for (Future<?> f : calls) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }
        PoolSnapshot pool = pool("http", a);
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.discarded()).isEqualTo(1);
        assertThat(pool.idle()).isEqualTo(1);
    }

    @Test
    void hostSpecificMountWithSmallPoolLeavesOtherHostsUntouched() throws Exception {
        client = PoolClient.builder()
                .mount("small", "http://127.0.0.1:" + a.getPort() + "/", MountSettings.builder().poolMaxsize(1).build())
                .build();
        enqueueOk(a, 2);
        enqueueOk(b, 2);

        List<Response> toA = List.of(get(a), get(a));
        List<Response> toB = List.of(get(b), get(b));
        toA.forEach(Response::close);
        toB.forEach(Response::close);

        PoolSnapshot small = pool("small", a);
        assertThat(small.maxsize()).isEqualTo(1);
        assertThat(small.discarded()).isEqualTo(1);
        assertThat(client.snapshot().mount("small").orElseThrow().pools()).hasSize(1);

        PoolSnapshot other = pool("http", b);
        assertThat(other.maxsize()).isEqualTo(MountSettings.DEFAULT_POOL_MAXSIZE);
        assertThat(other.discarded()).isZero();
        assertThat(other.idle()).isEqualTo(2);
        assertThat(client.snapshot().mount("http").orElseThrow().pools()).hasSize(1);
        assertThat(connections(b, 2)).isEqualTo(2);
    }

    @Test
    void blockingPoolNeverExceedsMaxsizeAndServesWaitersInOrder() throws Exception {
        client = PoolClient.builder()
                .defaults(MountSettings.builder().poolMaxsize(1).poolBlock(true).poolTimeout(Duration.ofSeconds(20)).build())
                .build();
        int waiters = 4;
        enqueueOk(a, waiters + 1);
        Response held = get(a);
        ExecutorService threads = Executors.newFixedThreadPool(waiters);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                int order = i;
                calls.add(threads.submit(() -> {
                    getAndRead(a, "X-Order", Integer.toString(order));
                    return null;
                }));
                awaitPending(order + 1); // the next caller queues only behind this one
            }
            held.close();
            for (Future<?> f : calls) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }
        List<String> served = new ArrayList<>();
        Set<Integer> connectionIds = new HashSet<>();
        for (int i = 0; i <= waiters; i++) {
            RecordedRequest r = a.takeRequest(5, TimeUnit.SECONDS);
            connectionIds.add(r.getConnectionIndex());
            if (r.getHeaders().get("X-Order") != null) {
                served.add(r.getHeaders().get("X-Order"));
            }
        }
        assertThat(connectionIds).hasSize(1);
        assertThat(served).containsExactly("0", "1", "2", "3");
        assertThat(pool("http", a).opened()).isEqualTo(1);
    }

    @Test
    void blockingPoolTimesOutWithAMessageNamingMountHostMaxsizeAndWait() throws Exception {
        client = PoolClient.builder()
                .mount("payments", "http://127.0.0.1:" + a.getPort() + "/",
                        MountSettings.builder().poolMaxsize(1).poolBlock(true).poolTimeout(Duration.ofMillis(200)).build())
                .build();
        enqueueOk(a, 1);
        try (Response held = get(a)) {
            assertThatThrownBy(() -> get(a))
                    .isInstanceOf(PoolTimeoutException.class)
                    .hasMessageContaining("mount 'payments'")
                    .hasMessageContaining("127.0.0.1:" + a.getPort())
                    .hasMessageContaining("all 1 connections (pool-maxsize)")
                    .hasMessageMatching(".*Timed out after \\d+ ms.*")
                    .satisfies(e -> assertThat(((PoolTimeoutException) e).waited()).isGreaterThanOrEqualTo(Duration.ofMillis(200)));
        }
        PoolSnapshot pool = pool("payments", a);
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.pending()).isZero();
        assertThat(pool.leased()).isZero();
    }

    private void awaitPending(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.snapshot().mount("http").orElseThrow().pools().get(0).pending() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw " + n + " waiters");
            }
            Thread.onSpinWait();
        }
    }

    private PoolSnapshot pool(String mount, MockWebServer server) {
        return client.snapshot().mount(mount).orElseThrow().pools().stream()
                .filter(p -> p.port() == server.getPort()).findFirst().orElseThrow();
    }

    private static void enqueueOk(MockWebServer server, int n) {
        for (int i = 0; i < n; i++) {
            server.enqueue(new MockResponse.Builder().body("ok").build());
        }
    }

    private Response get(MockWebServer server) throws IOException {
        return client.execute(Request.get(uri(server)));
    }

    private void getAndRead(MockWebServer server, String... header) throws IOException {
        List<Header> headers = header.length == 0 ? List.of() : List.of(new Header(header[0], header[1]));
        try (Response r = client.execute(new Request("GET", uri(server), headers, null))) {
            assertThat(new String(r.body().readAllBytes())).isEqualTo("ok");
        }
    }

    private static URI uri(MockWebServer server) {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/");
    }

    /** Distinct TCP connections over the next {@code requests} requests the server recorded. */
    private static int connections(MockWebServer server, int requests) throws InterruptedException {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(r).as("request %d reached the server", i).isNotNull();
            ids.add(r.getConnectionIndex());
        }
        return ids.size();
    }
}
