package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuiet;
import static io.poolclient.PoolAssertions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolSnapshot;
import io.poolclient.retry.Retry;
import io.poolclient.testing.FaultServer;
import io.poolclient.testing.FaultServer.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The soak: 64 threads send at least 200,000 requests through one mount to a fault server
 * that misbehaves on about 1% of them (closes without answering, resets mid-body, truncates or
 * breaks the body, sends garbage, closes after answering), bounded to {@value #RUN_LIMIT_SECONDS} s.
 * Afterwards nothing is leased, the counters add up and agree with the server, the open file
 * descriptors are back where they started, and the heap after GC is where it was after warm-up.
 *
 * <p>Tagged {@code soak}: excluded from the default build; {@code mvn -B -pl pool-client-core -Psoak verify}
 * runs it (and only it). It prints its figures.
 */
@Tag("soak")
@Timeout(300)
class SoakTest {

    private static final int THREADS = 64;
    private static final long REQUESTS = 200_000;
    private static final long WARM_UP = 20_000;
    private static final int RUN_LIMIT_SECONDS = 200;
    private static final Fault[] FAULTS = {Fault.CLOSE_WITHOUT_ANSWER, Fault.RESET_MID_RESPONSE, Fault.TRUNCATED_BODY,
            Fault.BROKEN_CHUNKED, Fault.GARBAGE_STATUS, Fault.CLOSE_AFTER_RESPONSE};

    @Test
    void sixtyFourThreadsTwoHundredThousandRequestsOnePercentFaults() throws Exception {
        warmUpOutsideTheMeasurement();
        long fdStart = openFileDescriptors();
        long heapStart = heapAfterGc();

        FaultServer server = FaultServer.builder().maxConnections(256)
                .plan(r -> ThreadLocalRandom.current().nextInt(100) == 0
                        ? FAULTS[ThreadLocalRandom.current().nextInt(FAULTS.length)] : Fault.NONE)
                .start();
        PoolClient client = PoolClient.builder()
                .mount("soak", "http://" + server.hostPort() + "/", MountSettings.builder()
                        .poolMaxsize(32) // below the thread count: overflow connections and discards happen too
                        .readTimeout(Duration.ofSeconds(5))
                        .retry(Retry.builder().total(2).build())
                        .build())
                .build();

        AtomicLong issued = new AtomicLong();
        LongAdder ok = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(RUN_LIMIT_SECONDS);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        long heapAfterWarmUp;
        try {
            // two phases, each joined, so that the heap is measured at quiet moments with the pool still open
            runPhase(threads, client, server, issued, WARM_UP, deadline, ok, failures);
            heapAfterWarmUp = heapAfterGc();
            runPhase(threads, client, server, issued, REQUESTS, deadline, ok, failures);
        }
        finally {
            threads.shutdownNow();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        long failed = failures.values().stream().mapToLong(LongAdder::sum).sum();
        long heapEnd = heapAfterGc();

        awaitTrue(() -> server.accepted() == totals(client).opened(), Duration.ofSeconds(5),
                "the server accepted every connection the client opened");
        PoolSnapshot pool = totals(client);
        long serverRequests = server.requests();
        long serverFaults = server.faults();
        assertQuiet(client);
        client.close();
        server.close();
        awaitTrue(() -> openFileDescriptors() <= fdStart + 4, Duration.ofSeconds(10),
                "file descriptors back to the start (" + fdStart + ")");
        long fdEnd = openFileDescriptors();

        System.out.printf("soak: %,d requests in %.1f s (%,.0f/s) by %d threads; ok %,d, failed %,d %s%n",
                ok.sum() + failed, took.toMillis() / 1000.0, (ok.sum() + failed) * 1e9 / took.toNanos(), THREADS,
                ok.sum(), failed, new TreeMap<>(failures.entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))));
        System.out.printf("soak: server read %,d requests on %,d connections, %,d faults injected (%.2f%%)%n",
                serverRequests, server.accepted(), serverFaults, 100.0 * serverFaults / serverRequests);
        System.out.printf("soak: pool opened %,d reused %,d requests %,d discarded %,d closed %,d %s; leased %d idle %d%n",
                pool.opened(), pool.reused(), pool.requests(), pool.discarded(), pool.closed(), pool.closedReasons(),
                pool.leased(), pool.idle());
        System.out.printf("soak: file descriptors %d at start, %d at end; heap after GC %,d KiB at start, %,d KiB after"
                + " warm-up, %,d KiB at end%n", fdStart, fdEnd, heapStart / 1024, heapAfterWarmUp / 1024, heapEnd / 1024);

        assertThat(ok.sum() + failed).as("requests completed within %d s", RUN_LIMIT_SECONDS).isEqualTo(REQUESTS);
        assertThat(failed).as("failures surface only for injected faults").isLessThanOrEqualTo(serverFaults);
        assertThat(failed).as("GETs are retried: most faults are absorbed").isLessThan(serverFaults);
        assertThat(pool.leased()).isZero();
        assertThat(pool.opened()).isEqualTo(pool.idle() + pool.leased() + pool.discarded() + pool.closed());
        assertThat(pool.requests()).as("every attempt counted; the server read all but those sent into a closing socket")
                .isGreaterThanOrEqualTo(serverRequests).isGreaterThanOrEqualTo(REQUESTS);
        assertThat(fdEnd).isLessThanOrEqualTo(fdStart + 4);
        assertThat(heapAfterWarmUp).isPositive();
        assertThat(heapEnd - heapAfterWarmUp).as("heap growth after warm-up").isLessThan(16L * 1024 * 1024);
    }

    /** All threads send requests numbered up to {@code last}; any exception but a {@link PoolClientException} fails the soak. */
    private static void runPhase(ExecutorService threads, PoolClient client, FaultServer server, AtomicLong issued, long last,
            long deadline, LongAdder ok, Map<String, LongAdder> failures) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            done.add(threads.submit(() -> {
                for (long n; System.nanoTime() < deadline && (n = issued.incrementAndGet()) <= last;) {
                    try {
                        oneRequest(client, server, n);
                        ok.increment();
                    }
                    catch (PoolClientException e) {
                        failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(RUN_LIMIT_SECONDS + 30, TimeUnit.SECONDS);
        }
        issued.set(Math.min(issued.get(), last)); // the overshoot of the last increments was not sent
    }

    /** 80% small GETs, 10% 16 KiB GETs, 10% small POSTs; every successful body is checked. */
    private static void oneRequest(PoolClient client, FaultServer server, long n) throws IOException {
        int kind = (int) (n % 10);
        if (kind == 0) {
            Request post = new Request("POST", server.uri("/upload"), List.of(),
                    RequestBody.of(("n=" + n).getBytes(StandardCharsets.US_ASCII)));
            try (Response r = client.execute(post)) {
                String body = new String(r.body().readAllBytes(), StandardCharsets.US_ASCII);
                if (!body.startsWith("received=" + ("n=" + n).length() + " ")) {
                    throw new AssertionError("wrong answer to POST " + n + ": " + body);
                }
            }
        }
        else if (kind == 1) {
            try (Response r = client.execute(Request.get(server.uri("/bytes/16384")))) {
                byte[] body = r.body().readAllBytes();
                if (body.length != 16384 || body[16383] != FaultServer.patternByte(16383)) {
                    throw new AssertionError("wrong body for GET /bytes/16384: " + body.length + " bytes");
                }
            }
        }
        else {
            try (Response r = client.execute(Request.get(server.uri("/small/" + n)))) {
                String body = new String(r.body().readAllBytes(), StandardCharsets.US_ASCII);
                if (!body.equals(FaultServer.OK_BODY)) {
                    throw new AssertionError("wrong body for GET " + n + ": " + body);
                }
            }
        }
    }

    private static PoolSnapshot totals(PoolClient client) {
        List<PoolSnapshot> pools = client.snapshot("soak").orElseThrow().pools();
        assertThat(pools).hasSize(1);
        return pools.get(0);
    }

    /** Loads every class the run uses and lets the JIT settle, so that the baselines are not skewed. */
    private static void warmUpOutsideTheMeasurement() throws IOException {
        try (FaultServer server = FaultServer.builder().plan(r -> r.target().endsWith("/9") ? Fault.TRUNCATED_BODY : Fault.NONE)
                .start();
                PoolClient client = PoolClient.builder().defaults(MountSettings.builder()
                        .retry(Retry.builder().total(2).build()).build()).build()) {
            for (long n = 1; n <= 2_000; n++) {
                try {
                    oneRequest(client, server, n);
                }
                catch (PoolClientException expected) {
                    // the truncated body: the failure path is warmed up too
                }
            }
        }
    }

    private static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
        catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
