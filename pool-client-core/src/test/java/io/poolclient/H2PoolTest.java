package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.spring.PoolingClientHttpRequestFactory;
import io.poolclient.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.web.client.RestClient;

/**
 * HTTP/2 through the pool against MockWebServer, whose connection index tells how many connections
 * the requests really used: h2c with prior knowledge and h2 over TLS chosen by ALPN, through
 * {@link PoolClient} and through {@link RestClient} with {@link PoolingClientHttpRequestFactory}.
 */
class H2PoolTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    static Path keys;

    private final MockWebServer server = new MockWebServer();
    private PoolClient client;
    private ExecutorService threads;

    @AfterEach
    void stop() throws Exception {
        if (threads != null) {
            threads.shutdownNow();
        }
        assertQuietThenClose(client, server);
    }

    @Test
    void concurrentRequestsShareConnectionsUpToTheStreamLimit() throws Exception {
        int requests = 16;
        int streams = 4;
        CountDownLatch allArrived = new CountDownLatch(requests);
        Set<Integer> connections = ConcurrentHashMap.newKeySet();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                connections.add(request.getConnectionIndex());
                allArrived.countDown();
                // every request is in flight at once before any is answered (bounded: the count fails below)
                allArrived.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                return new MockResponse.Builder().body("ok " + request.getUrl().encodedPath()).build();
            }
        });
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).maxConcurrentStreams(streams).build());

        List<String> bodies = concurrently(requests, i -> get("/r" + i));

        assertThat(bodies).hasSize(requests).allSatisfy(b -> assertThat(b).startsWith("ok /r"));
        assertThat(allArrived.getCount()).as("all requests were in flight together").isZero();
        assertThat(connections).as("ceil(16 / 4) connections at the server").hasSize(requests / streams);
        PoolSnapshot pool = onlyPool(client, "h2c");
        assertThat(pool.protocol()).isEqualTo("h2");
        assertThat(pool.opened()).isEqualTo(requests / streams);
        assertThat(pool.requests()).isEqualTo(requests);
        assertThat(pool.activeStreams()).isZero();
        assertThat(pool.maxConcurrentStreams()).isEqualTo(streams);
        assertThat(pool.idle()).isEqualTo(requests / streams);
    }

    @Test
    void getPostLargeBodiesAndDecompressionGoOverOneConnection() throws Exception {
        byte[] upload = random(3 * 1024 * 1024 + 17);
        byte[] download = random(2 * 1024 * 1024 + 5);
        server.enqueue(new MockResponse.Builder().body("plain").build());
        server.enqueue(new MockResponse.Builder().body("posted").build());
        server.enqueue(new MockResponse.Builder().body(new Buffer().write(download)).build());
        server.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(new Buffer().write(gzip("squeezed".repeat(1000)))).build());
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).build());

        assertThat(get("/plain")).isEqualTo("plain");
        try (Response r = client.execute(new Request("POST", url("/upload"), List.of(new Header("Content-Type",
                "application/octet-stream")), RequestBody.of(upload)))) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("posted");
        }
        try (Response r = client.execute(Request.get(url("/download")))) {
            assertThat(r.body().readAllBytes()).isEqualTo(download);
        }
        try (Response r = client.execute(Request.get(url("/gzip")))) {
            assertThat(r.header("Content-Encoding")).as("decoded: the header is gone").isNull();
            assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("squeezed".repeat(1000));
        }

        RecordedRequest plain = server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        RecordedRequest posted = server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        RecordedRequest gzip = server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(plain.getVersion()).isEqualTo("HTTP/2");
        assertThat(posted.getMethod()).isEqualTo("POST");
        assertThat(posted.getBody().toByteArray()).isEqualTo(upload);
        assertThat(gzip.getHeaders().get("accept-encoding")).isEqualTo("gzip, deflate");
        assertThat(gzip.getConnectionIndex()).as("one connection for all").isZero();
        assertThat(gzip.getExchangeIndex()).isEqualTo(3);
        PoolSnapshot pool = onlyPool(client, "h2c");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.requests()).isEqualTo(4);
    }

    @Test
    void restClientThroughTheFactorySpeaksH2c() throws Exception {
        server.enqueue(new MockResponse.Builder().body("from rest").build());
        server.enqueue(new MockResponse.Builder().body("created").code(201).build());
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).build());
        RestClient rest = RestClient.builder().requestFactory(new PoolingClientHttpRequestFactory(client)).build();

        assertThat(rest.get().uri(url("/rest")).retrieve().body(String.class)).isEqualTo("from rest");
        assertThat(rest.post().uri(url("/rest")).body("payload").retrieve().toEntity(String.class).getStatusCode().value())
                .isEqualTo(201);

        RecordedRequest get = server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        RecordedRequest post = server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(get.getVersion()).isEqualTo("HTTP/2");
        assertThat(post.getBody().utf8()).isEqualTo("payload");
        assertThat(post.getConnectionIndex()).isZero();
        assertThat(onlyPool(client, "h2c").protocol()).isEqualTo("h2");
    }

    @Test
    void aBlockingPoolOfOneConnectionServesWaitersItsStreamsInTurn() throws Exception {
        int requests = 12;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("c" + request.getConnectionIndex()).build();
            }
        });
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).maxConcurrentStreams(2).poolMaxsize(1)
                .poolBlock(true).poolTimeout(BOUND).build());

        List<String> bodies = concurrently(requests, i -> get("/w" + i));

        assertThat(bodies).hasSize(requests).containsOnly("c0");
        PoolSnapshot pool = onlyPool(client, "h2c");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.pending()).isZero();
        assertThat(pool.timeouts()).isZero();
        assertThat(pool.requests()).isEqualTo(requests);
    }

    @Test
    void closingABodyEarlyResetsItsStreamAndTheConnectionServesTheNext() throws Exception {
        server.enqueue(new MockResponse.Builder().body(new Buffer().write(random(4 * 1024 * 1024))).build());
        server.enqueue(new MockResponse.Builder().body("next").build());
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).build());

        try (Response r = client.execute(Request.get(url("/big")))) {
            assertThat(r.body().readNBytes(1000)).hasSize(1000);
        }
        assertThat(get("/next")).isEqualTo("next");

        server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getConnectionIndex()).isZero();
        PoolSnapshot pool = onlyPool(client, "h2c");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.closed()).isZero();
    }

    @Test
    void h2OverTlsIsChosenByAlpnAndAnHttp1OnlyServerStillWorksOnTheSameMountSettings() throws Exception {
        TestCertificates certs = TestCertificates.generate(keys);
        server.useHttps(certs.serverContext(certs.server()).getSocketFactory());
        server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        server.enqueue(new MockResponse.Builder().body("secure h2").build());
        try (MockWebServer http1 = new MockWebServer()) {
            http1.useHttps(certs.serverContext(certs.server()).getSocketFactory());
            http1.setProtocols(List.of(Protocol.HTTP_1_1));
            http1.start(InetAddress.getByName("127.0.0.1"), 0);
            http1.enqueue(new MockResponse.Builder().body("secure h1").build());
            client = PoolClient.builder().defaults(MountSettings.builder()
                    .tls(TlsConfig.of("private-ca", certs.clientContext(null)))
                    .protocols(Protocols.of("h2", "http/1.1")).build()).build();

            try (Response r = client.execute(Request.get(URI.create("https://127.0.0.1:" + server.getPort() + "/a")))) {
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("secure h2");
            }
            try (Response r = client.execute(Request.get(URI.create("https://127.0.0.1:" + http1.getPort() + "/b")))) {
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("secure h1");
            }
            assertThat(server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getVersion()).isEqualTo("HTTP/2");
            assertThat(http1.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getVersion()).isEqualTo("HTTP/1.1");
            List<PoolSnapshot> pools = client.snapshot("https").orElseThrow().pools();
            assertThat(pools).extracting(PoolSnapshot::port, PoolSnapshot::protocol).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple(server.getPort(), "h2"),
                    org.assertj.core.groups.Tuple.tuple(http1.getPort(), "http/1.1"));
            PoolAssertions.assertQuiet(client);
        }
    }

    @Test
    void aConnectionPastItsLifetimeTakesNoNewStreamAndClosesWhenItsLastStreamEnds() throws Exception {
        // the first answer comes later than the lifetime: its connection is past it when the next request comes
        server.enqueue(new MockResponse.Builder().headersDelay(50, TimeUnit.MILLISECONDS).body("first").build());
        server.enqueue(new MockResponse.Builder().headersDelay(50, TimeUnit.MILLISECONDS).body("second").build());
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).maxLifetime(Duration.ofMillis(1)).build());

        assertThat(get("/1")).isEqualTo("first");
        assertThat(get("/2")).isEqualTo("second");

        assertThat(server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getConnectionIndex()).isZero();
        assertThat(server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getConnectionIndex()).isEqualTo(1);
        PoolSnapshot pool = onlyPool(client, "h2c");
        assertThat(pool.opened()).isEqualTo(2);
        assertThat(pool.closedReasons()).containsEntry("max-lifetime", 2L);
    }

    @Test
    void anIdleHttp2ConnectionClosesAfterTheIdleTimeout() throws Exception {
        server.enqueue(new MockResponse.Builder().body("once").build());
        startH2c();
        client = PoolClient.builder().housekeepingInterval(Duration.ofMillis(20)).mount("h2c",
                "http://127.0.0.1:" + server.getPort() + "/", MountSettings.builder().protocols(Protocols.of("h2c"))
                        .idleTimeout(Duration.ofMillis(50)).build()).build();

        assertThat(get("/once")).isEqualTo("once");

        PoolAssertions.awaitTrue(() -> onlyPool(client, "h2c").idle() == 0, BOUND, "the idle connection is closed");
        assertThat(onlyPool(client, "h2c").closedReasons()).containsEntry("idle-timeout", 1L);
    }

    @Test
    void aLowerMaxConcurrentStreamsSetAtRunTimeIsFollowed() throws Exception {
        int held = 4;
        CountDownLatch allArrived = new CountDownLatch(held);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getUrl().encodedPath().startsWith("/held")) {
                    allArrived.countDown();
                    allArrived.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                }
                return new MockResponse.Builder().body("c" + request.getConnectionIndex()).build();
            }
        });
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).maxConcurrentStreams(4).build());
        assertThat(get("/warm")).isEqualTo("c0");

        assertThat(client.update("h2c", MountSettings.builder().maxConcurrentStreams(2).build())).isTrue();
        List<String> bodies = concurrently(held, i -> get("/held" + i));

        assertThat(allArrived.getCount()).isZero();
        assertThat(bodies).as("2 streams on the warm connection, 2 on a new one").containsExactlyInAnyOrder("c0", "c0",
                "c1", "c1");
        assertThat(onlyPool(client, "h2c").maxConcurrentStreams()).isEqualTo(2);
    }

    @Test
    void aResponseDroppedUnclosedHasItsStreamResetAndReclaimedWithAWarn() throws Exception {
        server.enqueue(new MockResponse.Builder().body(new Buffer().write(random(4 * 1024 * 1024))).build());
        server.enqueue(new MockResponse.Builder().body("after the leak").build());
        startH2c();
        client = h2cClient(MountSettings.builder().protocols(Protocols.of("h2c")).build());
        try (LogCapture logs = new LogCapture(ch.qos.logback.classic.Level.WARN)) {
            executeAndDrop("/dropped");
            assertThat(onlyPool(client, "h2c").activeStreams()).isEqualTo(1);

            PoolAssertions.awaitTrue(() -> {
                System.gc(); // the dropped body becomes unreachable: its cleaner reclaims the stream
                return onlyPool(client, "h2c").activeStreams() == 0;
            }, BOUND, "the dropped stream is reclaimed");
            assertThat(logs.events()).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("Stream leak")
                    .contains("127.0.0.1:" + server.getPort()).contains("mount 'h2c'"));
        }
        assertThat(get("/after")).isEqualTo("after the leak");
        server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(server.takeRequest(BOUND.toMillis(), TimeUnit.MILLISECONDS).getConnectionIndex())
                .as("the connection outlived the leaked stream").isZero();
        assertThat(onlyPool(client, "h2c").closed()).isZero();
    }

    private void executeAndDrop(String path) throws Exception {
        Response r = client.execute(Request.get(url(path)));
        assertThat(r.status()).isEqualTo(200);
        // r goes out of scope here without close()
    }

    // --- helpers ---

    private void startH2c() throws Exception {
        server.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    private PoolClient h2cClient(MountSettings settings) {
        return PoolClient.builder().mount("h2c", "http://127.0.0.1:" + server.getPort() + "/", settings).build();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + path);
    }

    private String get(String path) throws Exception {
        try (Response r = client.execute(Request.get(url(path)))) {
            assertThat(r.status()).isEqualTo(200);
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    interface Call {
        String run(int i) throws Exception;
    }

    /** Runs {@code n} calls at once on {@code n} threads; their results in order. */
    private List<String> concurrently(int n, Call call) throws Exception {
        threads = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(threads.submit(() -> {
                start.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                return call.run(index);
            }));
        }
        start.countDown();
        List<String> results = new ArrayList<>();
        for (Future<String> f : futures) {
            results.add(f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        }
        return results;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
