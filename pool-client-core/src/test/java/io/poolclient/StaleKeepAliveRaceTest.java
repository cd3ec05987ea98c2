package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolSnapshot;
import io.poolclient.testing.NginxServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * The stale keep-alive race against a real server: nginx closes idle keep-alive
 * connections after {@code keepalive_timeout 200ms} and sends no {@code Keep-Alive: timeout=}
 * hint, so the client cannot know when. Each caller thread has its own mount (one connection) and
 * sends a request every 150–250 ms, so about half of all reuses find a connection nginx has just
 * closed, and some land right as nginx closes it.
 *
 * <p>GET: zero failures. A connection nginx closed while idle is found by the stale check before it
 * is handed out; a request that meets the close in flight (no response byte) is retried once,
 * transparently, on a new connection.
 *
 * <p>POST: a request that meets the close in flight fails, because a POST is not idempotent and its
 * bytes may have reached the server: the client cannot tell "nginx closed before reading" from "nginx
 * processed it and died before answering", so it must not resend it (requests and urllib3 do the
 * same). The stale check makes this window tiny (the close must arrive between the check and the
 * write, well under a millisecond), so such failures are rare: the test counts them, requires
 * each to be an {@link ExchangeFailedException} naming host and mount, and bounds their number. The
 * remedy for a caller is an idle-timeout below the server's keep-alive timeout, or an idempotency
 * key and a retry policy that allows POST.
 */
@Timeout(120)
class StaleKeepAliveRaceTest {

    private static final int THREADS = 6;
    private static final Duration KEEPALIVE = Duration.ofMillis(200);

    private NginxServer nginx;
    private PoolClient client;

    @BeforeEach
    void start() {
        nginx = NginxServer.start(NginxServer.Config.defaults().withKeepaliveTimeout(KEEPALIVE).withAccessLog(false));
        PoolClient.Builder b = PoolClient.builder();
        for (int t = 0; t < THREADS; t++) {
            b.mount("t" + t, nginx.uri("/echo/t" + t + "/").toString(), MountSettings.builder()
                    .poolMaxsize(1).readTimeout(Duration.ofSeconds(5)).build());
        }
        client = b.build();
    }

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, nginx);
    }

    @Test
    void getsSpacedAroundTheKeepAliveTimeoutNeverFail() throws Exception {
        getsNeverFail("stale race GET", 50, Executors.newFixedThreadPool(THREADS));
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void getsOnVirtualThreadsNeverFailEither() throws Exception {
        // compiled for Java 17: the Java 21 factory is looked up at run time
        getsNeverFail("stale race GET on virtual threads", 25,
                (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null));
    }

    private void getsNeverFail(String label, int perThread, ExecutorService threads) throws Exception {
        long acceptsBefore = nginx.acceptsExcludingSelf();
        Result r = run("GET", perThread, threads);

        Totals totals = totals();
        System.out.printf("%s: %d requests, %d failures, %d attempts, %d connections opened, %d reused, closed %s%n", label,
                r.requests, r.failures.size(), totals.requests, totals.opened, totals.reused, totals.reasons);
        assertThat(r.failures).as("GET failures surfaced").isEmpty();
        assertThat(totals.opened).as("nginx accepted what the client opened").isEqualTo(nginx.acceptsExcludingSelf() - acceptsBefore);
        assertThat(totals.stale).as("the stale check found connections nginx had closed: the race was exercised").isPositive();
        assertThat(totals.requests - r.requests).as("transparent retries (one per request at most)")
                .isBetween(0L, (long) r.requests);
    }

    @Test
    void postsSpacedAroundTheKeepAliveTimeoutFailOnlyWhenTheCloseMeetsTheRequest() throws Exception {
        Result r = run("POST", 35);

        Totals totals = totals();
        System.out.printf("stale race POST: %d requests, %d failures, %d attempts, %d connections opened, %d reused,"
                + " closed %s%n", r.requests, r.failures.size(), totals.requests, totals.opened, totals.reused, totals.reasons);
        r.failures.forEach(f -> System.out.println("  POST failure: " + f));
        for (IOException f : r.failures) {
            assertThat(f).isInstanceOf(ExchangeFailedException.class);
            assertThat(f.getMessage()).contains("127.0.0.1:" + nginx.port()).containsPattern("mount 't[0-9]'");
        }
        assertThat(totals.requests).as("no POST was resent: one attempt per request").isEqualTo(r.requests);
        assertThat(r.failures.size()).as("failures need the close to meet the request in flight: rare")
                .isLessThanOrEqualTo(r.requests / 10);
    }

    private record Result(int requests, List<IOException> failures) {
    }

    private record Totals(long opened, long reused, long requests, long stale, List<String> reasons) {
    }

    private Totals totals() {
        long opened = 0;
        long reused = 0;
        long requests = 0;
        List<String> reasons = new ArrayList<>();
        long stale = 0;
        for (int t = 0; t < THREADS; t++) {
            for (PoolSnapshot p : client.snapshot("t" + t).orElseThrow().pools()) {
                opened += p.opened();
                reused += p.reused();
                requests += p.requests();
                stale += p.closedReasons().getOrDefault("stale", 0L);
            }
        }
        reasons.add("stale=" + stale);
        return new Totals(opened, reused, requests, stale, reasons);
    }

    /** Each thread sends {@code perThread} requests through its own mount, 150–250 ms apart. */
    private Result run(String method, int perThread) throws Exception {
        return run(method, perThread, Executors.newFixedThreadPool(THREADS));
    }

    /** As {@link #run(String, int)}, on the given threads (shut down afterwards). */
    private Result run(String method, int perThread, ExecutorService pool) throws Exception {
        Queue<IOException> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger sent = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        Request request = new Request(method, nginx.uri("/echo/t" + thread + "/" + i), List.of(),
                                method.equals("POST") ? RequestBody.of("n=1".getBytes(StandardCharsets.US_ASCII)) : null);
                        sent.incrementAndGet();
                        try (Response response = client.execute(request)) {
                            assertThat(response.status()).isEqualTo(200);
                            assertThat(new String(response.body().readAllBytes(), StandardCharsets.US_ASCII))
                                    .isEqualTo(NginxServer.ECHO_BODY);
                        }
                        catch (IOException e) {
                            failures.add(e);
                        }
                        // the spacing is the workload itself: around nginx's keepalive_timeout
                        Thread.sleep(ThreadLocalRandom.current().nextLong(150, 251));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
        }
        finally {
            pool.shutdownNow();
        }
        return new Result(sent.get(), new ArrayList<>(failures));
    }
}
