package io.poolclient.internal.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.testing.NginxServer;
import io.poolclient.testing.TestCertificates;
import io.poolclient.testing.nginx.NginxH2;
import io.poolclient.testing.nginx.NginxH2.Listener;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 32 threads on one h2c connection to nginx, in 60 rounds: in each, every thread sends one GET at the
 * same moment while another thread interrupts 8 of them at random, so interrupts land on writers
 * encoding, queued for the write lock, writing and waiting for responses. Writers arriving together
 * share socket writes; whatever an interrupt cuts short, no frame another writer left to be sent may
 * stay unsent (the round's other requests would time out, as no later write would carry it).
 * Every request either completes with the right body or ends in {@link InterruptedIOException}; the
 * counts add up, the connection stays usable, and at the end it has no open stream.
 */
class H2InterruptedWritersTest {

    private static final int THREADS = 32;
    private static final int ROUNDS = 60;
    private static final int INTERRUPTS_PER_ROUND = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void interruptedWritersLeaveNoRequestUnsentAndTheConnectionUsable() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        try (NginxH2 nginx = NginxH2.start(NginxH2.Config.defaults().withKeepaliveRequests(1_000_000), certs)) {
            int port = nginx.port(Listener.H2C);
            H2Connection connection = H2Connection.start(H2Clients.plain(port), "127.0.0.1:" + port,
                    H2Settings.defaults().withTimeouts(TIMEOUT, TIMEOUT), r -> {
                        Thread t = new Thread(r, "h2-interrupt-reader");
                        t.setDaemon(true);
                        return t;
                    }, H2ConnectionListener.NONE);
            AtomicInteger issued = new AtomicInteger();
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger interrupted = new AtomicInteger();
            // rounds start together; arriving at a phaser ignores interrupts
            Phaser rounds = new Phaser(THREADS + 1);
            Thread[] workers = new Thread[THREADS];
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            int interrupts = 0;
            try {
                for (int t = 0; t < THREADS; t++) {
                    int index = t;
                    done.add(pool.submit(() -> {
                        workers[index] = Thread.currentThread();
                        try {
                            for (int round = 0; round < ROUNDS; round++) {
                                Thread.interrupted(); // an interrupt meant for the previous round
                                rounds.arriveAndAwaitAdvance();
                                H2Stream stream = connection.reserve();
                                assertThat(stream).as("a stream below the limit").isNotNull();
                                issued.incrementAndGet();
                                try {
                                    stream.open("GET", "/small", List.of(), true);
                                    assertThat(stream.awaitResponse().status()).isEqualTo(200);
                                    assertThat(new String(H2Clients.readAll(stream.responseBody()),
                                            StandardCharsets.US_ASCII)).isEqualTo(NginxServer.SMALL_BODY);
                                    completed.incrementAndGet();
                                } catch (InterruptedIOException e) {
                                    interrupted.incrementAndGet();
                                    stream.cancel();
                                }
                            }
                        } finally {
                            Thread.interrupted();
                            rounds.arriveAndDeregister();
                        }
                        return null;
                    }));
                }
                Random random = new Random(7);
                for (int round = 0; round < ROUNDS && rounds.getRegisteredParties() > 1; round++) {
                    rounds.arriveAndAwaitAdvance();
                    for (int i = 0; i < INTERRUPTS_PER_ROUND; i++) {
                        Thread victim = workers[random.nextInt(THREADS)];
                        if (victim != null) {
                            victim.interrupt();
                            interrupts++;
                        }
                    }
                }
                rounds.arriveAndDeregister();
                for (Future<?> f : done) {
                    f.get(ROUNDS * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(completed.get() + interrupted.get()).as("completed + interrupted = issued")
                    .isEqualTo(THREADS * ROUNDS).isEqualTo(issued.get());
            assertThat(completed.get()).as("completed").isPositive();
            assertThat(connection.openStreams()).as("open streams at the end").isZero();
            assertThat(connection.isAcceptingStreams()).as("connection still usable").isTrue();

            // after the storm, the connection serves a request at once
            H2Stream last = connection.reserve();
            last.open("GET", "/small", List.of(), true);
            assertThat(last.awaitResponse().status()).isEqualTo(200);
            assertThat(H2Clients.readAll(last.responseBody())).hasSize(NginxServer.SMALL_BODY.length());
            // nginx saw every completed request and no more than were issued
            int logged = nginx.awaitRequests(Listener.H2C, completed.get() + 1, TIMEOUT).size();
            assertThat(logged).isBetween(completed.get() + 1, issued.get() + 1);
            connection.close();
            System.out.printf("h2 interrupted writers: issued %d, completed %d, interrupted %d, interrupts sent %d,"
                    + " nginx logged %d%n", issued.get(), completed.get(), interrupted.get(), interrupts, logged);
        }
    }
}
