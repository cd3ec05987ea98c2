package io.poolclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.testing.FaultServer;
import io.poolclient.testing.FaultServer.Fault;
import io.poolclient.testing.NginxServer;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.nginx.NginxH2;
import io.poolclient.testing.nginx.NginxH2.AccessLogEntry;
import io.poolclient.testing.nginx.NginxH2.Listener;
import io.poolclient.testing.nginx.SampleContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/1.1 exchanges made on virtual threads, in clear text and over TLS, against nginx. A connection
 * opened on a virtual thread waits in a way of its own (its reads park through the JDK's poller, and
 * only a write that finds the send buffer full waits on a selector), so these tests pin what must not
 * change there: every body arrives whole, through many reads for a 64 KiB body, a virtual thread whose
 * answer never comes still ends in the read timeout, and the connections the pool counts are the ones
 * nginx saw.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
@Timeout(120)
class VirtualThreadIoTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final int CALLERS = 64;
    private static final int PER_CALLER = 25;
    private static final int MAXSIZE = 16;
    /** nginx closes a connection after this many requests, so connections are opened all along the run. */
    private static final int KEEPALIVE_REQUESTS = 40;
    private static final byte[] UPLOAD = SampleContent.lines("upload", 64, 128).getBytes(StandardCharsets.US_ASCII);

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
        nginx = NginxH2.start(NginxH2.Config.defaults().withKeepaliveRequests(KEEPALIVE_REQUESTS), certs);
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

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Listener.class, names = {"PLAIN", "TLS_HTTP11"})
    void sixtyFourVirtualThreadsGetWholeBodiesAndTheCountsAreNginxs(Listener listener) throws Exception {
        client = PoolClient.builder().defaults(MountSettings.builder().poolMaxsize(MAXSIZE).poolBlock(true)
                .poolTimeout(BOUND).readTimeout(BOUND).tls(TlsConfig.of("private-ca", certs.clientContext(null))).build())
                .build();
        threads = virtualThreads();
        String tag = "vt-" + listener.name().toLowerCase();
        byte[] big = SampleContent.big();
        LongAdder done = new LongAdder();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> callers = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
            int caller = c;
            callers.add(threads.submit(() -> {
                go.await();
                for (int i = 0; i < PER_CALLER; i++) {
                    String query = "?" + tag + "=" + caller + "-" + i;
                    try {
                        switch (i % 3) {
                            case 0 -> assertThat(body(Request.get(nginx.uri(listener, "/small" + query))))
                                    .isEqualTo(SampleContent.SMALL.getBytes(StandardCharsets.US_ASCII));
                            case 1 -> assertThat(Arrays.equals(body(Request.get(nginx.uri(listener, "/big" + query))), big))
                                    .as("64 KiB body, byte for byte").isTrue();
                            default -> assertThat(body(new Request("POST", nginx.uri(listener, "/echo" + query), List.of(),
                                    RequestBody.of(UPLOAD)))).isEqualTo(NginxH2.ECHO_BODY.getBytes(StandardCharsets.US_ASCII));
                        }
                        done.increment();
                    }
                    catch (IOException | AssertionError e) {
                        failures.add(e);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> caller : callers) {
            caller.get(BOUND.toSeconds() * 2, TimeUnit.SECONDS);
        }

        int issued = CALLERS * PER_CALLER;
        assertThat(failures).as("failures").isEmpty();
        assertThat(done.sum()).isEqualTo(issued);
        List<AccessLogEntry> log = nginx.awaitAccessLog(entries -> entries.stream().filter(e -> e.uri().contains(tag)).count() == issued,
                BOUND).stream().filter(e -> e.uri().contains(tag)).toList();
        Set<Long> connections = log.stream().map(AccessLogEntry::connection).collect(Collectors.toSet());
        PoolSnapshot pool = client.snapshot().mounts().stream().flatMap(m -> m.pools().stream())
                .filter(p -> p.port() == nginx.port(listener)).findFirst().orElseThrow();
        assertThat(log).extracting(AccessLogEntry::protocol).containsOnly("HTTP/1.1");
        assertThat(pool.requests()).as("one attempt per request: nothing failed on the way").isEqualTo(issued);
        assertThat(pool.opened()).as("connections the pool opened = connections nginx served").isEqualTo(connections.size());
        assertThat(pool.opened()).as("nginx closes after %d requests, so more than the first %d", KEEPALIVE_REQUESTS, MAXSIZE)
                .isGreaterThan(MAXSIZE);
    }

    @Test
    void aVirtualThreadWhoseAnswerNeverComesEndsInTheReadTimeout() throws Exception {
        try (FaultServer silent = FaultServer.builder().plan(FaultServer.Plan.always(Fault.SLOW_ANSWER))
                .slowAnswer(Duration.ofSeconds(60)).start()) {
            client = PoolClient.builder().mount("silent", "http://" + silent.hostPort() + "/", MountSettings.builder()
                    .readTimeout(Duration.ofMillis(300)).build()).build();
            threads = virtualThreads();

            Future<Throwable> post = threads.submit(() -> {
                try (Response r = client.execute(new Request("POST", silent.uri("/orders"), List.of(), RequestBody.of(UPLOAD)))) {
                    return null;
                }
                catch (IOException e) {
                    return e;
                }
            });

            assertThat(post.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(ReadTimeoutException.class)
                    .hasMessageContaining("Read timed out after 300 ms (read-timeout) waiting for the response");
            assertThat(silent.requests()).as("a POST is not resent").isEqualTo(1);
        }
    }

    @Test
    void aVirtualThreadStillSeesAConnectionClosedMidBody() throws Exception {
        try (FaultServer server = FaultServer.builder().plan(FaultServer.Plan.always(Fault.TRUNCATED_BODY)).start()) {
            client = PoolClient.builder().mount("cut", "http://" + server.hostPort() + "/", MountSettings.builder()
                    .maxRetries(0).readTimeout(BOUND).build()).build();
            threads = virtualThreads();

            Future<?> get = threads.submit(() -> body(Request.get(server.uri("/cut"))));

            assertThatThrownBy(() -> get.get(BOUND.toSeconds(), TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        }
    }

    private byte[] body(Request request) throws IOException {
        try (Response r = client.execute(request)) {
            assertThat(r.status()).isEqualTo(200);
            return r.body().readAllBytes();
        }
    }

    private static ExecutorService virtualThreads() throws ReflectiveOperationException {
        // compiled for Java 17: the Java 21 factory is looked up at run time
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }
}
