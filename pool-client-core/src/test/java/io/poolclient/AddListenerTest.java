package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.HostPool;
import io.poolclient.PoolListener;
import io.poolclient.internal.pool.PoolManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PoolClient#addListener}: a listener added to a running client is told of the pools that
 * already exist, then hears every later event until its registration is closed; added and removed
 * while many threads create, evict and drop pools, every listener hears each pool added once, at
 * most one removal for it and never a removal without the addition, and once the client is quiet
 * the pools it was told of are exactly the live ones.
 */
@Timeout(60)
class AddListenerTest {

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server);
    }

    @Test
    void aLateListenerIsToldOfTheExistingPoolsThenHearsLaterEventsUntilRemoved() throws Exception {
        server.start(InetAddress.getLoopbackAddress(), 0);
        client = PoolClient.builder().build();
        get("/before");
        PoolManager http = client.mount(PoolClient.HTTP).orElseThrow().pools();
        http.pool(new HostKey("http", "other.test", 80, null));
        String upstream = "127.0.0.1:" + server.getPort();

        Recorder late = new Recorder();
        PoolListener.Registration registration = client.addListener(late);
        assertThat(late.heard).containsExactly("added " + upstream, "added other.test:80");

        get("/after");
        client.drop(PoolClient.HTTP);
        assertThat(late.heard).hasSize(5);
        assertThat(late.heard.subList(0, 3)).containsExactly("added " + upstream, "added other.test:80",
                "acquired " + upstream);
        assertThat(late.heard.subList(3, 5)).containsExactlyInAnyOrder("removed " + upstream + " evicted=false",
                "removed other.test:80 evicted=false");

        registration.close();
        get("/removed");
        assertThat(late.heard).hasSize(5);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void theBuildersListenerAddedAgainHearsEachEventOnceAndStays() throws Exception {
        server.start(InetAddress.getLoopbackAddress(), 0);
        Recorder recorder = new Recorder();
        client = PoolClient.builder().listener(recorder).build();
        get("/one");

        client.addListener(recorder).close();
        get("/two");

        String upstream = "127.0.0.1:" + server.getPort();
        assertThat(recorder.heard).containsExactly("added " + upstream, "acquired " + upstream, "acquired " + upstream);
    }

    @Test
    void listenersComeAndGoWhileManyThreadsCreateEvictAndDropPools() throws Exception {
        int creators = 8;
        int lookupsEach = 4_000;
        int keys = 24;
        int adders = 4;
        int addsEach = 300;
        Checker fromTheStart = new Checker();
        client = PoolClient.builder()
                .listener(fromTheStart)
                .mount("churn", "http://churn.test/", MountSettings.builder().poolConnections(4).build())
                .build();
        PoolManager manager = client.mount("churn").orElseThrow().pools();
        List<HostKey> hostKeys = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            hostKeys.add(new HostKey("http", "host" + i + ".test", 80, null));
        }
        ConcurrentLinkedQueue<Checker> stillListening = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Checker> removed = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(creators + adders);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < creators; t++) {
                work.add(threads.submit(() -> {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < lookupsEach; i++) {
                        if (random.nextInt(500) == 0) {
                            client.drop("churn");
                        }
                        else {
                            manager.pool(hostKeys.get(random.nextInt(keys)));
                        }
                    }
                    return null;
                }));
            }
            for (int t = 0; t < adders; t++) {
                work.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < addsEach; i++) {
                        Checker checker = new Checker();
                        PoolListener.Registration registration = client.addListener(checker);
                        Thread.yield();
                        if (i == addsEach - 1) {
                            stillListening.add(checker);
                        }
                        else {
                            registration.close();
                            removed.add(checker);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : work) {
                f.get(50, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }

        Set<HostPoolView> live = identitySet(manager.pools().stream().map(HostPool::view).toList());
        assertThat(live).hasSizeLessThanOrEqualTo(4);
        assertThat(manager.evicted()).as("the LRU evicted pools during the run").isPositive();
        assertThat(fromTheStart.violations).isEmpty();
        assertThat(fromTheStart.live()).as("the builder's listener: the pools it was told of").isEqualTo(live);
        assertThat(fromTheStart.added.get()).isEqualTo(fromTheStart.removed.get() + live.size());
        assertThat(stillListening).hasSize(adders);
        for (Checker c : stillListening) {
            assertThat(c.violations).isEmpty();
            assertThat(c.live()).as("a listener added during the run: the pools it was told of").isEqualTo(live);
        }
        assertThat(removed).hasSize(adders * (addsEach - 1));
        for (Checker c : removed) {
            assertThat(c.violations).isEmpty();
            assertThat(c.removed.get()).isLessThanOrEqualTo(c.added.get());
        }

        client.close();
        assertThat(fromTheStart.live()).as("shutdown removes every pool").isEmpty();
        for (Checker c : stillListening) {
            assertThat(c.live()).isEmpty();
            assertThat(c.violations).isEmpty();
        }
    }

    private void get(String path) throws IOException {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response r = client.execute(Request.get(URI.create("http://127.0.0.1:" + server.getPort() + path)))) {
            r.body().readAllBytes();
        }
    }

    private static Set<HostPoolView> identitySet(List<HostPoolView> pools) {
        Set<HostPoolView> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(pools);
        return set;
    }

    /** Writes what it hears. */
    private static final class Recorder implements PoolListener {

        final List<String> heard = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void poolAdded(HostPoolView pool) {
            heard.add("added " + pool.hostPort());
        }

        @Override
        public void poolRemoved(HostPoolView pool, boolean evicted) {
            heard.add("removed " + pool.hostPort() + " evicted=" + evicted);
        }

        @Override
        public void connectionAcquired(HostPoolView pool, long waitNanos) {
            heard.add("acquired " + pool.hostPort());
        }
    }

    /**
     * Checks the contract as events arrive: one event at a time, each pool added once, removed at
     * most once and only after it was added.
     */
    private static final class Checker implements PoolListener {

        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final AtomicInteger added = new AtomicInteger();
        final AtomicInteger removed = new AtomicInteger();
        private final AtomicInteger inCallback = new AtomicInteger();
        private final Set<HostPoolView> everAdded = new HashSet<>();
        private final Set<HostPoolView> live = new HashSet<>();

        @Override
        public void poolAdded(HostPoolView pool) {
            enter();
            try {
                added.incrementAndGet();
                synchronized (this) {
                    if (!everAdded.add(pool)) {
                        violations.add("added twice: " + pool);
                    }
                    live.add(pool);
                }
            }
            finally {
                inCallback.decrementAndGet();
            }
        }

        @Override
        public void poolRemoved(HostPoolView pool, boolean evicted) {
            enter();
            try {
                removed.incrementAndGet();
                synchronized (this) {
                    if (!live.remove(pool)) {
                        violations.add((everAdded.contains(pool) ? "removed twice: " : "removed, never added: ") + pool);
                    }
                }
            }
            finally {
                inCallback.decrementAndGet();
            }
        }

        private void enter() {
            if (inCallback.incrementAndGet() != 1) {
                violations.add("two pool events at once");
            }
        }

        synchronized Set<HostPoolView> live() {
            return identitySet(new ArrayList<>(live));
        }
    }
}
