package io.poolclient.internal.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.Header;
import io.poolclient.testing.NginxServer;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.nginx.NginxH2;
import io.poolclient.testing.nginx.NginxH2.AccessLogEntry;
import io.poolclient.testing.nginx.NginxH2.Listener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 64 threads × 50 requests of mixed sizes (13 bytes to 1 MiB, GET and POST) over four connections (h2c,
 * then TLS with ALPN)
 * to an nginx that sends GOAWAY after every 100 streams on a connection, so GOAWAYs land at whatever
 * point the load has reached. Every request must either complete with the right body or fail with
 * {@link H2UnprocessedStreamException}; the counts must add up here and at nginx; at the end no
 * connection has an open stream and every reader thread has ended.
 */
class H2ConnectionStressTest {

    private static final int THREADS = 64;
    private static final int REQUESTS_PER_THREAD = 50;
    private static final int SLOTS = 4;
    private static final int KEEPALIVE_REQUESTS = 100;
    private static final int LARGE = 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A bound on the whole run: threads stop issuing requests after it (the counts still must add up). */
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    /** Makes the reader threads and keeps them, to check they end. */
    private final List<Thread> readerThreads = new CopyOnWriteArrayList<>();
    private final ThreadFactory readers = r -> {
        Thread t = new Thread(r, "h2-stress-reader-" + readerThreads.size());
        t.setDaemon(true);
        readerThreads.add(t);
        return t;
    };
    private final List<H2Connection> opened = new CopyOnWriteArrayList<>();
    private final Semaphore freed = new Semaphore(0);
    private final AtomicInteger goAways = new AtomicInteger();
    private final H2ConnectionListener listener = new H2ConnectionListener() {
        @Override
        public void streamClosed(H2Connection connection) {
            freed.release();
        }

        @Override
        public void goAway(H2Connection connection, int lastStreamId, long errorCode) {
            goAways.incrementAndGet();
            freed.release();
        }
    };

    /** One of the few connections the threads share; replaced when it stops taking streams. */
    private final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile H2Connection connection;

        H2Stream reserve(int port, SSLContext tls) throws Exception {
            while (true) {
                H2Connection c = connection;
                if (c != null) {
                    H2Stream stream = c.reserve();
                    if (stream != null) {
                        return stream;
                    }
                    if (c.isAcceptingStreams()) { // at its stream limit: wait for a stream to end anywhere
                        assertThat(freed.tryAcquire(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                        continue;
                    }
                }
                lock.lock();
                try {
                    if (connection == c) {
                        H2Connection fresh = H2Connection.start(tls == null ? H2Clients.plain(port)
                                : H2Clients.tls(tls, port), "127.0.0.1:" + port,
                                H2Settings.defaults().withTimeouts(TIMEOUT, TIMEOUT), readers, listener);
                        opened.add(fresh);
                        connection = fresh;
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void mixedLoadWithGoAwaysEndsWithEveryRequestAccountedForAndNothingOpen(boolean useTls) throws Exception {
        TestCertificates certs = TestCertificates.shared();
        SSLContext tls = useTls ? certs.clientContext(null) : null;
        Listener where = useTls ? Listener.TLS : Listener.H2C;
        try (NginxH2 nginx = NginxH2.start(NginxH2.Config.defaults()
                .withKeepaliveRequests(KEEPALIVE_REQUESTS).withLargeSize(LARGE), certs)) {
            int port = nginx.port(where);
            Slot[] slots = new Slot[SLOTS];
            for (int i = 0; i < SLOTS; i++) {
                slots[i] = new Slot();
            }
            AtomicInteger issued = new AtomicInteger();
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger unprocessed = new AtomicInteger();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            try {
                for (int t = 0; t < THREADS; t++) {
                    Slot slot = slots[t % SLOTS];
                    Random random = new Random(t);
                    done.add(threads.submit(() -> {
                        for (int i = 0; i < REQUESTS_PER_THREAD && System.nanoTime() < deadline; i++) {
                            H2Stream stream = slot.reserve(port, tls);
                            issued.incrementAndGet();
                            try {
                                exchange(stream, random);
                                completed.incrementAndGet();
                            } catch (H2UnprocessedStreamException e) {
                                unprocessed.incrementAndGet();
                                stream.cancel();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(DEADLINE.toSeconds() + TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }

            assertThat(completed.get() + unprocessed.get()).as("completed + unprocessed = issued")
                    .isEqualTo(issued.get());
            assertThat(issued.get()).as("requests issued before the deadline").isPositive();
            // a connection is replaced only once it stops taking streams, which here only GOAWAY does
            assertThat(goAways.get()).as("GOAWAYs received").isGreaterThanOrEqualTo(opened.size() - SLOTS)
                    .isPositive();
            for (H2Connection c : opened) {
                assertThat(c.openStreams()).as("open streams on %s", c).isZero();
                assertThat(c.streamsOpened()).isLessThanOrEqualTo(KEEPALIVE_REQUESTS + THREADS);
            }
            for (H2Connection c : opened) {
                c.close();
            }
            for (Thread reader : readerThreads) {
                reader.join(TIMEOUT.toMillis());
                assertThat(reader.isAlive()).as("%s ended", reader.getName()).isFalse();
            }
            assertThat(readerThreads).as("one reader per connection").hasSameSizeAs(opened);

            // nginx logged exactly the streams that completed, on exactly the connections opened here
            List<AccessLogEntry> log = nginx.awaitRequests(where, completed.get(), TIMEOUT);
            assertThat(log).hasSize(completed.get()).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
            assertThat(log.stream().map(AccessLogEntry::connection).distinct()).hasSize(opened.size());
            assertThat(log.stream().collect(java.util.stream.Collectors.groupingBy(AccessLogEntry::connection,
                    java.util.stream.Collectors.counting())).values()).as("requests per connection")
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(KEEPALIVE_REQUESTS));
            System.out.printf("h2 stress (" + where + "): issued %d, completed %d, unprocessed %d, connections %d, GOAWAYs %d%n",
                    issued.get(), completed.get(), unprocessed.get(), opened.size(), goAways.get());
        }
    }

    /** One request of a random kind and size; checks the response body. */
    private static void exchange(H2Stream stream, Random random) throws IOException {
        int kind = random.nextInt(20);
        if (kind < 3) {
            int size = kind == 0 ? random.nextInt(LARGE) + 1 : random.nextInt(64 * 1024);
            stream.open("POST", "/echo", List.of(new Header("content-type", "application/octet-stream")), false);
            byte[] chunk = new byte[8192];
            try (OutputStream body = stream.requestBody()) {
                for (int left = size; left > 0; left -= chunk.length) {
                    body.write(chunk, 0, Math.min(left, chunk.length));
                }
            }
            assertThat(stream.awaitResponse().status()).isEqualTo(200);
            assertThat(text(stream)).isEqualTo(NginxH2.ECHO_BODY);
            return;
        }
        String path = kind < 11 ? "/small" : kind < 15 ? "/json" : kind < 19 ? "/big" : "/large";
        stream.open("GET", path, List.of(), true);
        assertThat(stream.awaitResponse().status()).isEqualTo(200);
        switch (path) {
            case "/small" -> assertThat(text(stream)).isEqualTo(NginxServer.SMALL_BODY);
            case "/json" -> assertThat(text(stream)).isEqualTo(NginxServer.JSON_BODY);
            case "/big" -> assertThat(Arrays.equals(H2Clients.readAll(stream.responseBody()), NginxServer.bigBody()))
                    .as("/big body").isTrue();
            default -> assertThat(H2Clients.drain(stream.responseBody())).isEqualTo(LARGE);
        }
    }

    private static String text(H2Stream stream) throws IOException {
        return new String(H2Clients.readAll(stream.responseBody()), StandardCharsets.US_ASCII);
    }
}
