package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuiet;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.NginxServer;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.nginx.NginxH2;
import io.poolclient.testing.nginx.NginxH2.AccessLogEntry;
import io.poolclient.testing.nginx.NginxH2.Listener;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 through the pool against a private nginx ({@code http2} over TLS with ALPN, and h2c), with
 * connections counted in nginx's access log: streams share connections up to the smaller of our
 * stream limit and nginx's {@code http2_max_concurrent_streams}, nginx's {@code keepalive_requests}
 * GOAWAYs under load cost no request, and a mount offering h2 still speaks HTTP/1.1 to a server
 * that does not.
 */
class H2NginxPoolTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    /** nginx's stream limit: lower than ours. */
    private static final int NGINX_STREAMS = 4;
    /** nginx sends GOAWAY after this many streams on a connection. */
    private static final int KEEPALIVE_REQUESTS = 25;
    private static final int LARGE = 1024 * 1024;

    @TempDir
    static Path certificates;

    static TestCertificates certs;
    static NginxH2 nginx;

    private PoolClient client;
    private ExecutorService threads;

    @BeforeAll
    static void start() throws Exception {
        NginxServer.binary(); // skips before the certificates are made when nginx is missing
        certs = TestCertificates.generate(certificates);
        nginx = NginxH2.start(NginxH2.Config.defaults().withMaxConcurrentStreams(NGINX_STREAMS)
                .withKeepaliveRequests(KEEPALIVE_REQUESTS).withLargeSize(LARGE), certs);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        PoolAssertions.stopThenAssertQuietThenClose(threads, client);
    }

    @Test
    void concurrentStreamsShareConnectionsUpToNginxsLowerLimitOverH2c() throws Exception {
        client = client(Protocols.of("h2c"));
        int requests = 14; // below keepalive_requests per connection, so no GOAWAY here

        holdStreamsOpenTogether(requests, i -> nginx.uri(Listener.H2C, "/large?reuse-h2c=" + i));

        Set<Long> connections = connectionsFor("reuse-h2c", requests);
        assertThat(connections).as("ceil(14 / 4) connections counted at nginx").hasSize(4);
        PoolSnapshot pool = pool(Listener.H2C);
        assertThat(pool.protocol()).isEqualTo("h2");
        assertThat(pool.maxConcurrentStreams()).as("nginx's limit lowers ours").isEqualTo(NGINX_STREAMS);
        assertThat(pool.opened()).isEqualTo(4);
        assertThat(pool.requests()).isEqualTo(requests);
        assertThat(pool.activeStreams()).isZero();
    }

    @Test
    void concurrentStreamsShareConnectionsOverTlsWithAlpn() throws Exception {
        client = client(Protocols.of("h2", "http/1.1"));
        int requests = 8;

        holdStreamsOpenTogether(requests, i -> nginx.uri(Listener.TLS, "/large?reuse-tls=" + i));

        assertThat(connectionsFor("reuse-tls", requests)).hasSize(2);
        List<AccessLogEntry> log = nginx.accessLog().stream().filter(e -> e.uri().contains("reuse-tls")).toList();
        assertThat(log).extracting(AccessLogEntry::protocol).containsOnly("HTTP/2.0");
        assertThat(pool(Listener.TLS).protocol()).isEqualTo("h2");
    }

    @Test
    void goAwaysFromKeepaliveRequestsUnderLoadCostNoGetOrPost() throws Exception {
        client = client(Protocols.of("h2c"));
        int threadCount = 16;
        int perThread = 20;
        AtomicInteger ok = new AtomicInteger();
        threads = Executors.newFixedThreadPool(threadCount);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            int thread = t;
            futures.add(threads.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    URI uri = nginx.uri(Listener.H2C, (i % 2 == 0 ? "/small" : "/echo") + "?goaway=" + thread + "-" + i);
                    Request request = i % 2 == 0 ? Request.get(uri)
                            : new Request("POST", uri, List.of(), RequestBody.of(("body " + i).getBytes(StandardCharsets.UTF_8)));
                    try (Response r = client.execute(request)) {
                        r.body().readAllBytes();
                        assertThat(r.status()).isEqualTo(200);
                        ok.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(BOUND.toSeconds() * 2, TimeUnit.SECONDS);
        }

        int total = threadCount * perThread;
        assertThat(ok).hasValue(total);
        List<AccessLogEntry> log = nginx.awaitAccessLog(l -> l.stream().filter(e -> e.uri().contains("goaway=")).count()
                >= total, BOUND).stream().filter(e -> e.uri().contains("goaway=")).toList();
        assertThat(log.stream().map(AccessLogEntry::connection).distinct().count())
                .as("nginx closed connections after %d requests each", KEEPALIVE_REQUESTS)
                .isGreaterThanOrEqualTo(total / KEEPALIVE_REQUESTS);
        PoolSnapshot pool = pool(Listener.H2C);
        assertThat(pool.closedReasons()).containsKey("goaway");
        assertThat(pool.activeStreams()).isZero();
    }

    @Test
    void largeBodiesGoBothWaysOverOneConnection() throws Exception {
        client = client(Protocols.of("h2", "http/1.1"));
        byte[] upload = new byte[3 * 1024 * 1024 + 7];
        new Random(7).nextBytes(upload);

        try (Response r = client.execute(new Request("PUT", nginx.uri(Listener.TLS, "/upload/pool-h2"), List.of(),
                RequestBody.of(upload)))) {
            assertThat(r.status()).isIn(201, 204);
        }
        long read = 0;
        try (Response r = client.execute(Request.get(nginx.uri(Listener.TLS, "/large?both-ways")))) {
            InputStream in = r.body();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0;) {
                read += n;
            }
        }

        assertThat(read).isEqualTo(LARGE);
        List<AccessLogEntry> log = nginx.awaitAccessLog(l -> l.stream().anyMatch(e -> e.uri().equals("/upload/pool-h2")),
                BOUND);
        AccessLogEntry put = log.stream().filter(e -> e.uri().equals("/upload/pool-h2")).findFirst().orElseThrow();
        assertThat(put.requestLength()).as("the whole body arrived").isGreaterThanOrEqualTo(upload.length);
        assertThat(pool(Listener.TLS).opened()).isEqualTo(1);
    }

    @Test
    void aMountOfferingH2SpeaksHttp11ToAServerThatDoesNot() throws Exception {
        client = client(Protocols.of("h2", "http/1.1"));

        for (int i = 0; i < 3; i++) {
            try (Response r = client.execute(Request.get(nginx.uri(Listener.TLS_HTTP11, "/small?fallback=" + i)))) {
                assertThat(r.status()).isEqualTo(200);
                r.body().readAllBytes();
            }
        }

        List<AccessLogEntry> log = nginx.awaitAccessLog(l -> l.stream().filter(e -> e.uri().contains("fallback=")).count()
                >= 3, BOUND).stream().filter(e -> e.uri().contains("fallback=")).toList();
        assertThat(log).extracting(AccessLogEntry::protocol).containsOnly("HTTP/1.1");
        assertThat(log.stream().map(AccessLogEntry::connection).distinct().count()).as("kept alive").isEqualTo(1);
        PoolSnapshot pool = pool(Listener.TLS_HTTP11);
        assertThat(pool.protocol()).isEqualTo("http/1.1");
        assertThat(pool.maxConcurrentStreams()).isEqualTo(1);
    }

    @Test
    void concurrentFirstRequestsToAServerThatAnswersAlpnWithHttp11AllSucceed() throws Exception {
        client = client(Protocols.of("h2", "http/1.1"));
        int requests = 8;
        threads = Executors.newFixedThreadPool(requests);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            URI uri = nginx.uri(Listener.TLS_HTTP11, "/small?first-http11=" + i);
            futures.add(threads.submit(() -> {
                go.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                try (Response r = client.execute(Request.get(uri))) {
                    r.body().readAllBytes();
                    return r.status();
                }
            }));
        }
        go.countDown();
        for (Future<Integer> f : futures) {
            assertThat(f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(200);
        }

        List<AccessLogEntry> log = nginx.awaitAccessLog(l -> l.stream().filter(e -> e.uri().contains("first-http11="))
                .count() >= requests, BOUND).stream().filter(e -> e.uri().contains("first-http11=")).toList();
        assertThat(log).extracting(AccessLogEntry::protocol).containsOnly("HTTP/1.1");
        PoolSnapshot pool = pool(Listener.TLS_HTTP11);
        assertThat(pool.protocol()).isEqualTo("http/1.1");
        assertThat(pool.requests()).isEqualTo(requests);
    }

    // --- helpers ---

    private PoolClient client(Protocols protocols) throws Exception {
        return PoolClient.builder().defaults(MountSettings.builder().protocols(protocols)
                .tls(TlsConfig.of("private-ca", certs.clientContext(null))).readTimeout(BOUND).poolTimeout(BOUND).build())
                .build();
    }

    private PoolSnapshot pool(Listener listener) {
        return client.snapshot().mounts().stream().flatMap(m -> m.pools().stream())
                .filter(p -> p.port() == nginx.port(listener)).findFirst().orElseThrow();
    }

    interface Target {
        URI uri(int i);
    }

    /**
     * Sends {@code n} requests at once, each on its own thread, and reads none of the bodies until every
     * response head has arrived: all {@code n} streams are open together.
     */
    private void holdStreamsOpenTogether(int n, Target target) throws Exception {
        threads = Executors.newFixedThreadPool(n);
        CyclicBarrier allHeads = new CyclicBarrier(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(threads.submit(() -> {
                go.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                try (Response r = client.execute(Request.get(target.uri(index)))) {
                    allHeads.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                    return (long) r.body().readAllBytes().length;
                }
            }));
        }
        go.countDown();
        for (Future<Long> f : futures) {
            assertThat(f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(LARGE);
        }
    }

    /** The nginx connections that served the {@code count} requests tagged {@code tag}. */
    private static Set<Long> connectionsFor(String tag, int count) {
        return nginx.awaitAccessLog(l -> l.stream().filter(e -> e.uri().contains(tag)).count() >= count, BOUND).stream()
                .filter(e -> e.uri().contains(tag)).map(AccessLogEntry::connection).collect(Collectors.toSet());
    }
}
