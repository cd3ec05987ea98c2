package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuiet;
import static io.poolclient.PoolAssertions.assertQuietThenClose;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.PoolSnapshot;
import io.poolclient.testing.FaultServer;
import io.poolclient.testing.NginxServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bodies of 0 B, 1 B, 1 MiB and 100 MiB, length-delimited and chunked, up and down. Every byte is checked (count and CRC-32 on both sides), the connection
 * is reused afterwards (proof the framing ended exactly where it should), and memory stays flat:
 * while the transfer runs on its own thread, a sampler reads the used heap every few
 * milliseconds, and the peak must stay within {@value #HEAP_BUDGET_MIB} MiB of the level before it
 * started. A client that buffered a 100 MiB body would need 100 MiB more.
 */
@Timeout(60)
class BodyStreamingTest {

    private static final long MIB = 1024 * 1024;
    private static final int HEAP_BUDGET_MIB = 32;

    private FaultServer server;
    private PoolClient client;

    @BeforeEach
    void start() {
        server = FaultServer.start(FaultServer.Fault.NONE);
        client = PoolClient.builder().mount("bodies", "http://" + server.hostPort() + "/",
                MountSettings.builder().readTimeout(Duration.ofSeconds(20)).build()).build();
    }

    @AfterEach
    void stop() throws Exception {
        assertQuietThenClose(client, server);
    }

    @ParameterizedTest(name = "download {0} bytes, chunked={1}")
    @CsvSource({"0, false", "1, false", "1048576, false", "104857600, false",
            "0, true", "1, true", "1048576, true", "104857600, true"})
    void download(long size, boolean chunked) throws Exception {
        HeapPeak peak = measure(() -> {
            try (Response r = client.execute(Request.get(server.uri("/bytes/" + size + (chunked ? "?chunked" : ""))))) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("Transfer-Encoding")).isEqualTo(chunked ? "chunked" : null);
                assertThat(r.header("Content-Length")).isEqualTo(chunked ? null : Long.toString(size));
                long[] countAndCrc = drain(r.body());
                assertThat(countAndCrc[0]).isEqualTo(size);
                assertThat(countAndCrc[1]).isEqualTo(FaultServer.patternCrc(size));
            }
            return null;
        });
        assertReusedAfterwards();
        peak.assertWithin(HEAP_BUDGET_MIB, size);
    }

    @ParameterizedTest(name = "upload {0} bytes, chunked={1}")
    @CsvSource({"0, false", "1, false", "1048576, false", "104857600, false",
            "0, true", "1, true", "1048576, true", "104857600, true"})
    void upload(long size, boolean chunked) throws Exception {
        HeapPeak peak = measure(() -> {
            Request put = new Request("PUT", server.uri("/upload"), List.of(), new PatternBody(size, chunked));
            try (Response r = client.execute(put)) {
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("received=" + size + " crc=" + Long.toHexString(FaultServer.patternCrc(size)));
            }
            return null;
        });
        FaultServer.Received received = server.received().get(0);
        assertThat(received.chunked()).isEqualTo(chunked);
        assertThat(received.header("Content-Length")).isEqualTo(chunked ? null : Long.toString(size));
        assertThat(received.header("Expect")).as("no Expect: 100-continue by default").isNull();
        assertReusedAfterwards();
        peak.assertWithin(HEAP_BUDGET_MIB, size);
    }

    @Test
    void hundredMibUploadsToNginxStreamWithFlatMemory() throws Exception {
        try (NginxServer nginx = NginxServer.start(NginxServer.Config.defaults().withAccessLog(false));
                PoolClient toNginx = PoolClient.builder().build()) {
            for (boolean chunked : new boolean[] {false, true}) {
                HeapPeak peak = measure(() -> {
                    Request post = new Request("POST", nginx.uri("/echo"), List.of(), new PatternBody(100 * MIB, chunked));
                    try (Response r = toNginx.execute(post)) {
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(NginxServer.ECHO_BODY);
                    }
                    return null;
                });
                peak.assertWithin(HEAP_BUDGET_MIB, 100 * MIB);
            }
            PoolSnapshot pool = onlyPool(toNginx, "http");
            assertThat(pool.opened()).as("both uploads on one connection").isEqualTo(1);
            assertThat(pool.reused()).isEqualTo(1);
            assertQuiet(toNginx);
        }
    }

    /** A second small request goes over the same connection: the body ended exactly at its frame. */
    private void assertReusedAfterwards() throws IOException {
        try (Response r = client.execute(Request.get(server.uri("/after")))) {
            assertThat(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(FaultServer.OK_BODY);
        }
        PoolSnapshot pool = onlyPool(client, "bodies");
        assertThat(pool.opened()).isEqualTo(1);
        assertThat(pool.reused()).isEqualTo(1);
        assertThat(server.accepted()).isEqualTo(1);
    }

    private static long[] drain(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        CRC32 crc = new CRC32();
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0;) {
            crc.update(buf, 0, r);
            n += r;
        }
        return new long[] {n, crc.getValue()};
    }

    /** A one-shot body of pattern bytes, generated as it is written: it never exists in memory whole. */
    private record PatternBody(long size, boolean chunked) implements RequestBody {
        @Override
        public long contentLength() {
            return chunked ? -1 : size;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            FaultServer.writePattern(out, size);
        }

        @Override
        public boolean isReplayable() {
            return false;
        }
    }

    // ---- heap sampling ---------------------------------------------------------------------

    /** The used heap before a transfer (after GC) and the highest sample while it ran. */
    record HeapPeak(long baseline, long peak, int samples) {
        void assertWithin(int budgetMib, long transferred) {
            long growth = peak - baseline;
            System.out.printf("heap while moving %,d bytes: +%,d KiB at peak (%d samples)%n", transferred, growth / 1024, samples);
            assertThat(samples).as("heap samples taken").isPositive();
            assertThat(growth).as("heap growth while moving %d bytes: %d KiB (baseline %d KiB, peak %d KiB, %d samples)",
                    transferred, growth / 1024, baseline / 1024, peak / 1024, samples)
                    .isLessThan(budgetMib * MIB);
        }
    }

    /**
     * Runs {@code transfer} on its own thread while this thread samples the used heap every 2 ms (at
     * most 30,000 samples, at most 50 s).
     */
    private static HeapPeak measure(Callable<Void> transfer) throws Exception {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long baseline = rt.totalMemory() - rt.freeMemory();
        long peak = baseline;
        int samples = 0;
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Void> done = runner.submit(transfer);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            while (!done.isDone() && samples < 30_000 && System.nanoTime() < deadline) {
                peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
                samples++;
                Thread.sleep(2);
            }
            peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
            samples++;
            done.get(10, TimeUnit.SECONDS);
        }
        finally {
            runner.shutdownNow();
        }
        return new HeapPeak(baseline, peak, samples);
    }
}
