package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.awaitTrue;
import static io.poolclient.PoolAssertions.onlyPool;
import static io.poolclient.PoolAssertions.pools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.testing.FaultServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PoolClient#update} on a running mount against real servers whose TCP connections are
 * counted on their side: a smaller {@code pool-maxsize} closes surplus idle connections at once and
 * leased ones when they come back (counted as discarded), a blocking pool serves no waiter while it
 * is over its new size, a larger size wakes the waiters that now fit, a smaller
 * {@code pool-connections} evicts the least recently used host pools, new timeouts apply to the next
 * request, and invalid or unknown keys are refused naming the property.
 */
@Timeout(60)
class LiveResizeTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    private final List<AutoCloseable> servers = new ArrayList<>();
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private PoolClient client;

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        assertQuietThenClose(client, servers.toArray(AutoCloseable[]::new));
    }

    private FaultServer server() {
        FaultServer s = FaultServer.start(FaultServer.Fault.NONE);
        servers.add(s);
        return s;
    }

    private PoolClient client(FaultServer server, MountSettings settings) {
        client = PoolClient.builder().mount("api", server.uri("/").toString(), settings).build();
        return client;
    }

    private static MountSettings.Builder settings() {
        return MountSettings.builder().poolTimeout(BOUND).connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(10));
    }

    /** A response held open: its connection stays leased until it is closed. */
    private List<Response> hold(FaultServer server, int n) throws IOException {
        List<Response> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(client.execute(Request.get(server.uri("/held/" + i))));
        }
        return held;
    }

    private String get(FaultServer server, String path) throws IOException {
        try (Response r = client.execute(Request.get(server.uri(path)))) {
            return new String(r.body().readAllBytes());
        }
    }

    @Test
    void shrinkingClosesSurplusIdleConnectionsNowAndLeasedOnesWhenReturned() throws Exception {
        FaultServer server = server();
        client(server, settings().poolMaxsize(4).build());
        List<Response> held = hold(server, 4);
        held.get(0).close();
        held.get(1).close();
        assertThat(server.accepted()).isEqualTo(4);
        assertThat(onlyPool(client, "api").idle()).isEqualTo(2);

        assertThat(client.update("api", MountSettings.builder().poolMaxsize(1).build())).isTrue();

        PoolSnapshot now = onlyPool(client, "api");
        assertThat(now.maxsize()).isEqualTo(1);
        assertThat(now.idle()).isEqualTo(1);
        assertThat(now.leased()).isEqualTo(2);
        assertThat(now.discarded()).as("the surplus idle connection, closed at once").isEqualTo(1);
        awaitTrue(() -> server.openConnections() == 3, BOUND, "the server saw the surplus idle connection close");

        held.get(2).close();
        held.get(3).close();
        PoolSnapshot after = onlyPool(client, "api");
        assertThat(after.idle()).isEqualTo(1);
        assertThat(after.discarded()).as("both leased ones were surplus on return").isEqualTo(3);
        assertThat(after.opened()).isEqualTo(4);
        awaitTrue(() -> server.openConnections() == 1, BOUND, "the server has one connection left");
        assertThat(client.settings("api").orElseThrow().poolMaxsize()).isEqualTo(1);
    }

    @Test
    void aShrunkBlockingPoolServesNoWaiterUntilItHoldsFewerThanItsNewSize() throws Exception {
        FaultServer server = server();
        client(server, settings().poolMaxsize(4).poolBlock(true).build());
        List<Response> held = hold(server, 4);

        client.update("api", MountSettings.builder().poolMaxsize(2).build());
        Future<String> waiter = threads.submit(() -> get(server, "/waiter"));
        awaitTrue(() -> onlyPool(client, "api").pending() == 1, BOUND, "the caller waits");

        held.get(0).close(); // 3 left, cap 2: surplus
        held.get(1).close(); // 2 left, cap 2: surplus
        PoolSnapshot mid = onlyPool(client, "api");
        assertThat(mid.discarded()).isEqualTo(2);
        assertThat(mid.pending()).as("still over the new size: nobody served").isEqualTo(1);
        assertThat(mid.idle()).isZero();

        held.get(2).close(); // 1 left: this one goes to the waiter
        assertThat(waiter.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(FaultServer.OK_BODY);
        held.get(3).close();

        PoolSnapshot end = onlyPool(client, "api");
        assertThat(end.opened()).as("the waiter reused a returned connection").isEqualTo(4).isEqualTo(server.accepted());
        assertThat(end.idle()).isEqualTo(2);
        assertThat(end.discarded()).isEqualTo(2);
        awaitTrue(() -> server.openConnections() == 2, BOUND, "the server has the new size of connections");
    }

    @Test
    void growingABlockingPoolWakesTheWaitersThatNowFit() throws Exception {
        FaultServer server = server();
        client(server, settings().poolMaxsize(1).poolBlock(true).build());
        List<Response> held = hold(server, 1);
        List<Future<String>> waiters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            waiters.add(threads.submit(() -> get(server, "/waiter")));
        }
        awaitTrue(() -> onlyPool(client, "api").pending() == 2, BOUND, "two callers wait");

        client.update("api", MountSettings.builder().poolMaxsize(3).build());

        for (Future<String> w : waiters) {
            assertThat(w.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(FaultServer.OK_BODY);
        }
        assertThat(server.accepted()).as("each woken waiter opened a connection of its own").isEqualTo(3);
        held.get(0).close();
        PoolSnapshot end = onlyPool(client, "api");
        assertThat(end.maxsize()).isEqualTo(3);
        assertThat(end.idle()).isEqualTo(3);
        assertThat(end.discarded()).isZero();
    }

    @Test
    void turningBlockingOffWakesEveryWaiter() throws Exception {
        FaultServer server = server();
        client(server, settings().poolMaxsize(1).poolBlock(true).build());
        List<Response> held = hold(server, 1);
        Future<String> waiter = threads.submit(() -> get(server, "/waiter"));
        awaitTrue(() -> onlyPool(client, "api").pending() == 1, BOUND, "the caller waits");

        client.update("api", MountSettings.builder().poolBlock(false).build());

        assertThat(waiter.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(FaultServer.OK_BODY);
        assertThat(server.accepted()).isEqualTo(2);
        held.get(0).close();
        PoolSnapshot end = onlyPool(client, "api");
        assertThat(end.block()).isFalse();
        assertThat(end.idle()).isEqualTo(1);
        assertThat(end.discarded()).as("one idle slot: the second connection back is discarded").isEqualTo(1);
    }

    @Test
    void fewerPoolConnectionsEvictsTheLeastRecentlyUsedHostPools() throws Exception {
        FaultServer a = server();
        FaultServer b = server();
        FaultServer c = server();
        client = PoolClient.builder().mount(PoolClient.HTTP, settings().poolConnections(3).build()).build();
        get(a, "/1");
        get(b, "/1");
        get(c, "/1");
        get(a, "/2"); // b is now the least recently used, then c

        client.update(PoolClient.HTTP, MountSettings.builder().poolConnections(1).build());

        MountSnapshot http = client.snapshot(PoolClient.HTTP).orElseThrow();
        assertThat(http.poolsEvicted()).isEqualTo(2);
        assertThat(http.pools()).extracting(PoolSnapshot::port).containsExactly(a.port());
        awaitTrue(() -> b.openConnections() == 0 && c.openConnections() == 0, BOUND,
                "the evicted pools' idle connections are closed at their servers");
        assertThat(a.openConnections()).isEqualTo(1);

        get(b, "/2"); // a new pool for b evicts a's: the new limit holds for later lookups too
        assertThat(pools(client, PoolClient.HTTP)).extracting(PoolSnapshot::port).containsExactly(b.port());
        assertThat(client.snapshot(PoolClient.HTTP).orElseThrow().poolsEvicted()).isEqualTo(3);
    }

    @Test
    void aShorterReadTimeoutAppliesToTheNextRequest() throws Exception {
        FaultServer slow = FaultServer.builder().plan(r -> r.target().startsWith("/slow")
                ? FaultServer.Fault.SLOW_ANSWER : FaultServer.Fault.NONE).slowAnswer(Duration.ofSeconds(30)).start();
        servers.add(slow);
        client(slow, settings().build());
        assertThat(get(slow, "/fast")).isEqualTo(FaultServer.OK_BODY);

        client.update("api", MountSettings.builder().readTimeout(Duration.ofMillis(200)).build());

        assertThatThrownBy(() -> get(slow, "/slow")).isInstanceOf(ReadTimeoutException.class)
                .hasMessageContaining(slow.hostPort());
        assertThat(client.settings("api").orElseThrow().readTimeout()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void invalidChangesAreRefusedNamingThePropertyAndChangeNothing() {
        FaultServer server = server();
        client(server, settings().poolMaxsize(4).build());
        MountSettings before = client.settings("api").orElseThrow();

        assertThatThrownBy(() -> client.update("api", MountSettings.builder().poolBlock(true).poolMaxsize(0).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool-client.mounts.api.pool-maxsize must be >= 1, was 0");
        assertThatThrownBy(() -> client.update("api", MountSettings.builder().poolTimeout(Duration.ofSeconds(-1)).build()))
                .hasMessageContaining("pool-client.mounts.api.pool-timeout must not be negative");
        assertThatThrownBy(() -> client.update("api", MountSettings.builder().poolMaxsize(2).idleTimeout(Duration.ZERO).build()))
                .hasMessageContaining("pool-client.mounts.api.idle-timeout cannot be changed on a running mount");
        assertThat(client.settings("api").orElseThrow()).isEqualTo(before);

        assertThat(client.update("nope", MountSettings.builder().poolMaxsize(2).build())).isFalse();
    }
}
