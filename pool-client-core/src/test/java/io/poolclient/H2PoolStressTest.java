package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.NginxServer;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.nginx.NginxH2;
import io.poolclient.testing.nginx.NginxH2.Listener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 64 threads of mixed HTTP/2 traffic (small, 1 KiB, 64 KiB and 512 KiB responses, POST bodies,
 * bodies closed early) against nginx with a small {@code keepalive_requests}, so that connections
 * get GOAWAY all the time. Bounded in requests and time. Every request must succeed, and at the end
 * no stream is open, nothing is leased and the counts add up.
 */
class H2PoolStressTest {

    private static final int THREADS = 64;
    private static final int PER_THREAD = 30;
    private static final Duration TIME_LIMIT = Duration.ofSeconds(60);
    private static final int LARGE = 512 * 1024;

    @TempDir
    static Path certificates;

    static TestCertificates certs;
    static NginxH2 nginx;

    @BeforeAll
    static void start() throws Exception {
        NginxServer.binary(); // skips before the certificates are made when nginx is missing
        certs = TestCertificates.generate(certificates);
        nginx = NginxH2.start(NginxH2.Config.defaults().withMaxConcurrentStreams(8).withKeepaliveRequests(7)
                .withLargeSize(LARGE), certs);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void nonBlockingPoolOverH2c() throws Exception {
        run(Listener.H2C, MountSettings.builder().protocols(Protocols.of("h2c")).poolMaxsize(4));
    }

    @Test
    void blockingPoolOverTlsWithAlpn() throws Exception {
        run(Listener.TLS, MountSettings.builder().protocols(Protocols.of("h2", "http/1.1")).poolMaxsize(6)
                .poolBlock(true));
    }

    private void run(Listener listener, MountSettings.Builder settings) throws Exception {
        PoolClient client = PoolClient.builder().defaults(settings.maxConcurrentStreams(16)
                .tls(TlsConfig.of("private-ca", certs.clientContext(null))).readTimeout(Duration.ofSeconds(20))
                .poolTimeout(Duration.ofSeconds(20)).build()).build();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        AtomicInteger done = new AtomicInteger();
        long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(threads.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < PER_THREAD && System.nanoTime() < deadline; i++) {
                        try {
                            one(client, listener, ThreadLocalRandom.current().nextInt(6));
                            done.incrementAndGet();
                        }
                        catch (Exception e) {
                            failures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(TIME_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
            }

            assertThat(failures).as("failed requests").isEmpty();
            assertThat(done.get()).as("requests made within the time bound").isGreaterThan(THREADS);
            PoolSnapshot pool = client.snapshot().mounts().stream().flatMap(m -> m.pools().stream())
                    .filter(p -> p.port() == nginx.port(listener)).findFirst().orElseThrow();
            assertThat(pool.protocol()).isEqualTo("h2");
            assertThat(pool.activeStreams()).isZero();
            assertThat(pool.leased()).isZero();
            assertThat(pool.pending()).isZero();
            assertThat(pool.opened()).isEqualTo(pool.idle() + pool.leased() + pool.discarded() + pool.closed());
            assertThat(pool.closedReasons()).as("nginx's GOAWAYs happened").containsKey("goaway");
            assertThat(pool.requests()).isGreaterThanOrEqualTo(done.get());
            PoolAssertions.assertQuiet(client);
        }
        finally {
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
            client.close();
        }
    }

    private static void one(PoolClient client, Listener listener, int kind) throws Exception {
        switch (kind) {
            case 0 -> expect(client, Request.get(nginx.uri(listener, "/small")), 13);
            case 1 -> expect(client, Request.get(nginx.uri(listener, "/json")), 1024);
            case 2 -> expect(client, Request.get(nginx.uri(listener, "/big")), 65536);
            case 3 -> expect(client, Request.get(nginx.uri(listener, "/large")), LARGE);
            case 4 -> expect(client, new Request("POST", nginx.uri(listener, "/echo"), List.of(),
                    RequestBody.of("stress body".getBytes(StandardCharsets.UTF_8))), NginxH2.ECHO_BODY.length());
            default -> {
                try (Response r = client.execute(Request.get(nginx.uri(listener, "/large")))) {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body().readNBytes(100)).hasSize(100); // then closed early: the stream is reset
                }
            }
        }
    }

    private static void expect(PoolClient client, Request request, int length) throws Exception {
        try (Response r = client.execute(request)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().readAllBytes()).hasSize(length);
        }
    }

}
