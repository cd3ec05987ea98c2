package io.poolclient.internal.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.Header;
import io.poolclient.testing.NginxServer;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.nginx.NginxH2;
import io.poolclient.testing.nginx.NginxH2.AccessLogEntry;
import io.poolclient.testing.nginx.NginxH2.Listener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One {@link H2Connection} against a real nginx, over TLS (ALPN chose {@code h2}) and h2c (prior
 * knowledge): multiplexing counted at nginx, nginx's stream limit, the GOAWAY nginx sends after
 * {@code keepalive_requests} streams, and 100 MiB each way through one stream in bounded memory.
 */
class NginxH2ConnectionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long HUNDRED_MIB = NginxH2.HUNDRED_MIB;

    /** How the client reaches nginx's HTTP/2 listeners. */
    enum Transport {
        TLS(Listener.TLS), H2C(Listener.H2C);

        final Listener listener;

        Transport(Listener listener) {
            this.listener = listener;
        }
    }

    static SSLContext client;
    /** Defaults: 128 streams, 1000 requests per connection. */
    static NginxH2 roomy;
    /** http2_max_concurrent_streams 5. */
    static NginxH2 narrow;
    /** keepalive_requests 10: GOAWAY after the tenth stream. */
    static NginxH2 shortLived;

    private final H2Clients.Readers readers = new H2Clients.Readers();

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        client = certs.clientContext(null);
        NginxH2.Config defaults = NginxH2.Config.defaults();
        roomy = NginxH2.start(defaults, certs);
        narrow = NginxH2.start(defaults.withMaxConcurrentStreams(5).withLargeSize(0), certs);
        shortLived = NginxH2.start(defaults.withKeepaliveRequests(10).withLargeSize(0), certs);
    }

    @AfterAll
    static void stop() {
        for (NginxH2 nginx : new NginxH2[] {roomy, narrow, shortLived}) {
            if (nginx != null) {
                nginx.close();
            }
        }
    }

    private H2Connection connect(NginxH2 nginx, Transport transport, H2Settings settings,
            H2ConnectionListener listener) throws IOException {
        int port = nginx.port(transport.listener);
        Socket socket = transport == Transport.TLS ? H2Clients.tls(client, port) : H2Clients.plain(port);
        return H2Connection.start(socket, "127.0.0.1:" + port, settings, readers, listener);
    }

    private static H2Settings settings() {
        return H2Settings.defaults().withTimeouts(TIMEOUT, TIMEOUT);
    }

    /** Access log entries of one test's requests, told apart by a query parameter. */
    private static List<AccessLogEntry> entries(NginxH2 nginx, String run, int expected) {
        return nginx.awaitAccessLog(log -> log.stream().filter(e -> e.uri().contains(run)).count() >= expected,
                TIMEOUT).stream().filter(e -> e.uri().contains(run)).toList();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void sixtyFourConcurrentStreamsShareOneConnection(Transport transport) throws Exception {
        String run = UUID.randomUUID().toString();
        int n = 64;
        ExecutorService callers = Executors.newFixedThreadPool(n);
        try (H2Connection connection = connect(roomy, transport, settings(), H2ConnectionListener.NONE)) {
            // every stream reserved before any is opened: all 64 are in flight together
            List<H2Stream> streams = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                H2Stream stream = connection.reserve();
                assertThat(stream).as("stream %d within our limit of 100 and nginx's 128", i).isNotNull();
                streams.add(stream);
            }
            assertThat(connection.openStreams()).isEqualTo(n);
            List<Future<String>> bodies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                H2Stream stream = streams.get(i);
                String path = "/json?run=" + run + "&i=" + i;
                bodies.add(callers.submit(() -> {
                    stream.open("GET", path, List.of(), true);
                    assertThat(stream.awaitResponse().status()).isEqualTo(200);
                    return new String(H2Clients.readAll(stream.responseBody()), StandardCharsets.US_ASCII);
                }));
            }
            for (Future<String> body : bodies) {
                assertThat(body.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(NginxServer.JSON_BODY);
            }
            assertThat(connection.openStreams()).isZero();
            assertThat(connection.streamsOpened()).isEqualTo(n);
        } finally {
            callers.shutdownNow();
        }
        List<AccessLogEntry> log = entries(roomy, run, n);
        assertThat(log).hasSize(n).allSatisfy(e -> {
            assertThat(e.protocol()).isEqualTo("HTTP/2.0");
            assertThat(e.port()).isEqualTo(roomy.port(transport.listener));
            assertThat(e.status()).isEqualTo(200);
        });
        assertThat(log.stream().map(AccessLogEntry::connection).distinct()).as("connections at nginx").hasSize(1);
        assertThat(readers.made.get()).as("reader threads").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nginxStreamLimitLowerThanOursIsFollowed(Transport transport) throws Exception {
        String run = UUID.randomUUID().toString();
        Semaphore freed = new Semaphore(0);
        H2ConnectionListener listener = new H2ConnectionListener() {
            @Override
            public void streamClosed(H2Connection connection) {
                freed.release();
            }
        };
        int threads = 12;
        int perThread = 10;
        AtomicInteger refusals = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try (H2Connection connection = connect(narrow, transport, settings(), listener)) {
            assertThat(connection.maxConcurrentStreams()).as("nginx's 5 beats our 100").isEqualTo(5);
            List<H2Stream> held = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                held.add(connection.reserve());
            }
            assertThat(held).doesNotContainNull();
            assertThat(connection.reserve()).as("at nginx's limit").isNull();
            held.forEach(H2Stream::cancel);

            // 12 threads compete for 5 streams; a thread finding none waits for one to be freed
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        H2Stream stream;
                        while ((stream = connection.reserve()) == null) {
                            refusals.incrementAndGet();
                            assertThat(freed.tryAcquire(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                        }
                        stream.open("GET", "/big?run=" + run + "&t=" + thread + "&i=" + i, List.of(), true);
                        assertThat(stream.awaitResponse().status()).isEqualTo(200);
                        assertThat(H2Clients.drain(stream.responseBody())).isEqualTo(NginxServer.BIG_SIZE);
                        assertThat(connection.openStreams()).isLessThanOrEqualTo(5);
                    }
                    return perThread;
                }));
            }
            int completed = 0;
            for (Future<Integer> f : done) {
                completed += f.get(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(completed).isEqualTo(threads * perThread);
            assertThat(connection.openStreams()).isZero();
        } finally {
            callers.shutdownNow();
        }
        // nginx refuses streams above its limit (RST_STREAM REFUSED_STREAM): none was, all were served
        List<AccessLogEntry> log = entries(narrow, run, threads * perThread);
        assertThat(log).hasSize(threads * perThread).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
        assertThat(log.stream().map(AccessLogEntry::connection).distinct()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void keepaliveRequestsGoAwayFailsLaterStreamsAsUnprocessedAndCompletesTheRest(Transport transport)
            throws Exception {
        String run = UUID.randomUUID().toString();
        int n = 16;
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        H2ConnectionListener listener = new H2ConnectionListener() {
            @Override
            public void goAway(H2Connection connection, int lastStreamId, long errorCode) {
                events.add("goaway " + lastStreamId + " " + errorCode);
            }

            @Override
            public void closed(H2Connection connection, H2Exception cause) {
                events.add("closed " + cause);
                closed.countDown();
            }
        };
        int ok = 0;
        int unprocessed = 0;
        try (H2Connection connection = connect(shortLived, transport, settings(), listener)) {
            List<H2Stream> reserved = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                reserved.add(connection.reserve()); // all before nginx's GOAWAY, which stops reservations
            }
            assertThat(reserved).doesNotContainNull();
            List<H2Stream> streams = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                H2Stream stream = reserved.get(i);
                // half GET, half POST with a body: the method does not matter to GOAWAY
                boolean post = i % 2 == 1;
                try {
                    stream.open(post ? "POST" : "GET", "/echo?run=" + run + "&i=" + i,
                            List.of(new Header("content-type", "text/plain")), !post);
                    if (post) {
                        try (OutputStream body = stream.requestBody()) {
                            body.write(("body " + i).repeat(200).getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                } catch (H2UnprocessedStreamException goneAway) {
                    unprocessed++;
                    continue;
                }
                streams.add(stream);
            }
            for (H2Stream stream : streams) {
                try {
                    assertThat(stream.awaitResponse().status()).isEqualTo(200);
                    assertThat(new String(H2Clients.readAll(stream.responseBody()), StandardCharsets.US_ASCII))
                            .isEqualTo(NginxH2.ECHO_BODY);
                    assertThat(stream.id()).isLessThanOrEqualTo(19);
                    ok++;
                } catch (H2UnprocessedStreamException e) {
                    assertThat(e).hasMessageContaining("was not processed");
                    assertThat(stream.id()).isGreaterThan(19);
                    unprocessed++;
                }
            }
            assertThat(closed.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("closed once drained").isTrue();
            assertThat(connection.isOpen()).isFalse();
            assertThat(connection.openStreams()).isZero();
        }
        assertThat(ok).as("streams nginx took before its GOAWAY").isEqualTo(10);
        assertThat(unprocessed).as("streams above the last-stream-id").isEqualTo(n - 10);
        assertThat(events).startsWith("goaway 19 0").contains("closed null");
        List<AccessLogEntry> log = entries(shortLived, run, 10);
        assertThat(log).hasSize(10).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
        assertThat(log.stream().map(AccessLogEntry::connection).distinct()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hundredMibDownloadThroughOneStreamBuffersAtMostItsWindow(Transport transport) throws Exception {
        String run = UUID.randomUUID().toString();
        H2Settings settings = settings();
        long total = 0;
        long nonZero = 0;
        int mostBuffered = 0;
        try (H2Connection connection = connect(roomy, transport, settings, H2ConnectionListener.NONE)) {
            H2Stream stream = connection.reserve();
            stream.open("GET", "/large?run=" + run, List.of(), true);
            assertThat(stream.awaitResponse().header("content-length")).isEqualTo(Long.toString(HUNDRED_MIB));
            byte[] buffer = new byte[16384];
            try (InputStream in = stream.responseBody()) {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    total += n;
                    for (int i = 0; i < n; i++) {
                        nonZero |= buffer[i];
                    }
                    mostBuffered = Math.max(mostBuffered, in.available());
                }
            }
            assertThat(connection.openStreams()).isZero();
        }
        assertThat(total).isEqualTo(HUNDRED_MIB);
        assertThat(nonZero).as("the file is all zeros").isZero();
        assertThat(mostBuffered).as("bytes buffered ahead of the reader").isPositive()
                .isLessThanOrEqualTo(settings.streamWindow());
        assertThat(entries(roomy, run, 1)).singleElement()
                .satisfies(e -> assertThat(e.bytesSent()).isGreaterThan(HUNDRED_MIB));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hundredMibUploadThroughOneStream(Transport transport) throws Exception {
        String name = "up-" + transport + "-" + UUID.randomUUID();
        byte[] chunk = new byte[65536];
        try (H2Connection connection = connect(roomy, transport, settings(), H2ConnectionListener.NONE)) {
            H2Stream stream = connection.reserve();
            stream.open("PUT", "/upload/" + name, List.of(new Header("content-length", Long.toString(HUNDRED_MIB))),
                    false);
            try (OutputStream body = stream.requestBody()) {
                for (long sent = 0; sent < HUNDRED_MIB; sent += chunk.length) {
                    body.write(chunk); // blocks while nginx's window is closed: nothing piles up here
                }
            }
            assertThat(stream.awaitResponse().status()).isEqualTo(201);
            assertThat(H2Clients.drain(stream.responseBody())).isNotNegative();
            assertThat(connection.openStreams()).isZero();
        }
        Path stored = roomy.directory().resolve("www/upload/" + name);
        try {
            assertThat(Files.size(stored)).isEqualTo(HUNDRED_MIB);
        } finally {
            Files.deleteIfExists(stored);
        }
        assertThat(entries(roomy, name, 1)).singleElement()
                .satisfies(e -> assertThat(e.requestLength()).isGreaterThan(HUNDRED_MIB));
    }
}
