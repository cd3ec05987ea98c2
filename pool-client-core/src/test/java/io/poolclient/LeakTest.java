package io.poolclient;

import static io.poolclient.PoolAssertions.assertQuiet;
import static io.poolclient.PoolAssertions.awaitTrue;
import static io.poolclient.PoolAssertions.onlyPool;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import io.poolclient.PoolSnapshot;
import io.poolclient.testing.FaultServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Responses that are never closed (the mount setting {@code leak-detection-threshold}, unset by default):
 * a response dropped without close is found when it is garbage collected, its connection is
 * reclaimed (closed, counted as {@code leaked}) and a WARN names {@code host:port}; with
 * {@code leak-detection-threshold} set, a lease held longer logs a WARN with the stack where it was
 * leased, once per lease; the snapshot's {@code oldestLeaseMs} shows the age of the oldest lease.
 */
@Timeout(30)
class LeakTest {

    private FaultServer server;
    private PoolClient client;
    private LogCapture warnings;

    @BeforeEach
    void start() {
        server = FaultServer.start(FaultServer.Fault.NONE);
        warnings = new LogCapture(Level.INFO);
    }

    @AfterEach
    void stop() {
        try {
            if (client != null) {
                assertQuiet(client);
            }
        }
        finally {
            warnings.close();
            if (client != null) {
                client.close();
            }
            server.close();
        }
    }

    @Test
    void aResponseDroppedWithoutCloseIsReclaimedByTheCleanerAndWarned() throws Exception {
        client = PoolClient.builder().mount("leaky", "http://" + server.hostPort() + "/", MountSettings.EMPTY).build();

        executeAndDrop();
        assertThat(onlyPool(client, "leaky").leased()).isEqualTo(1);

        reclaimByGc();

        PoolSnapshot pool = onlyPool(client, "leaky");
        assertThat(pool.leased()).isZero();
        assertThat(pool.closedReasons()).isEqualTo(Map.of("leaked", 1L));
        awaitTrue(() -> server.finishedConnections() == 1, Duration.ofSeconds(5), "the server saw the connection closed");
        ILoggingEvent warn = onlyLeakWarning();
        assertThat(warn.getFormattedMessage())
                .contains("leak")
                .contains(server.hostPort())
                .contains("mount 'leaky'")
                .contains("set leak-detection-threshold on the mount to log where it was leased");
        assertThat(warn.getThrowableProxy()).as("no stack without leak-detection-threshold").isNull();
    }

    @Test
    void withLeakDetectionADroppedResponseIsWarnedWithTheStackWhereItWasLeased() throws Exception {
        client = PoolClient.builder()
                .mount("leaky", "http://" + server.hostPort() + "/",
                        MountSettings.builder().leakDetectionThreshold(Duration.ofMinutes(5)).build())
                .build();

        executeAndDrop();
        reclaimByGc();

        ILoggingEvent warn = onlyLeakWarning();
        assertThat(warn.getFormattedMessage()).contains("leak").contains(server.hostPort()).contains("It was leased here");
        assertLeasedIn(warn, "executeAndDrop");
    }

    @Test
    void aLeaseHeldPastTheThresholdIsWarnedOnceWithItsStackAndTheSnapshotShowsItsAge() throws Exception {
        Duration threshold = Duration.ofMillis(200);
        client = PoolClient.builder()
                .housekeepingInterval(Duration.ofMillis(50))
                .mount("held", "http://" + server.hostPort() + "/",
                        MountSettings.builder().leakDetectionThreshold(threshold).build())
                .build();

        try (Response held = client.execute(Request.get(server.uri("/bytes/10")))) {
            long firstAge = onlyPool(client, "held").oldestLeaseMs();
            awaitTrue(() -> !leakWarnings().isEmpty(), Duration.ofSeconds(5), "the leak WARN is logged");

            ILoggingEvent warn = onlyLeakWarning();
            assertThat(warn.getFormattedMessage())
                    .isEqualTo("Possible connection leak: a connection to " + server.hostPort() + " (mount 'held') has been"
                            + " leased for more than 200ms (leak-detection-threshold). It was leased here:");
            assertLeasedIn(warn, "aLeaseHeldPastTheThresholdIsWarnedOnceWithItsStackAndTheSnapshotShowsItsAge");

            long ageAtWarning = onlyPool(client, "held").oldestLeaseMs();
            assertThat(ageAtWarning).isGreaterThanOrEqualTo(threshold.toMillis()).isGreaterThan(firstAge);
            // several more housekeeping rounds (every 50 ms) pass while the age triples: still one WARN per lease
            awaitTrue(() -> onlyPool(client, "held").oldestLeaseMs() >= 3 * threshold.toMillis(), Duration.ofSeconds(5),
                    "the lease is three thresholds old");
            assertThat(leakWarnings()).hasSize(1);
            assertThat(onlyPool(client, "held").leased()).as("a held lease is reported, not taken away").isEqualTo(1);

            assertThat(held.body().readAllBytes()).hasSize(10);
        }
        PoolSnapshot after = onlyPool(client, "held");
        assertThat(after.leased()).isZero();
        assertThat(after.oldestLeaseMs()).isZero();
        assertThat(after.idle()).as("the connection was returned, not closed").isEqualTo(1);
        assertThat(after.closed()).isZero();
    }

    /** Executes a request whose body (larger than socket buffers can hide) is never read nor closed. */
    private void executeAndDrop() throws IOException {
        Response r = client.execute(Request.get(server.uri("/bytes/1000000")));
        assertThat(r.status()).isEqualTo(200);
        // r goes out of scope here without close()
    }

    /** Asks for garbage collection until the pool shows the lease ended (bounded: 200 rounds, 10 s). */
    private void reclaimByGc() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int i = 0; i < 200 && onlyPoolLeased() > 0 && System.nanoTime() < deadline; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(onlyPoolLeased()).as("the dropped response's connection was reclaimed").isZero();
    }

    private int onlyPoolLeased() {
        return client.snapshot().mounts().stream().flatMap(m -> m.pools().stream()).mapToInt(PoolSnapshot::leased).sum();
    }

    private ILoggingEvent onlyLeakWarning() {
        List<ILoggingEvent> leaks = leakWarnings();
        assertThat(leaks).as("leak WARNs").hasSize(1);
        return leaks.get(0);
    }

    private List<ILoggingEvent> leakWarnings() {
        return warnings.events().stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) && e.getFormattedMessage().contains("leak"))
                .toList();
    }

    /** The WARN carries the leasing stack, which runs through the test method that leased. */
    private static void assertLeasedIn(ILoggingEvent warn, String method) {
        IThrowableProxy site = warn.getThrowableProxy();
        assertThat(site).as("the leasing stack").isNotNull();
        assertThat(Arrays.stream(site.getStackTraceElementProxyArray()).map(StackTraceElementProxy::getStackTraceElement))
                .anySatisfy(frame -> {
                    assertThat(frame.getClassName()).isEqualTo(LeakTest.class.getName());
                    assertThat(frame.getMethodName()).isEqualTo(method);
                })
                .anySatisfy(frame -> assertThat(frame.getClassName()).isEqualTo(PoolClient.class.getName()));
    }
}
