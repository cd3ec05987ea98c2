package io.poolclient.internal.http;

import static io.poolclient.PoolAssertions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.ConnectFailedException;
import io.poolclient.internal.pool.HostKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Host name lookups bounded by the connect-timeout budget, shared while under way, and never cached
 * by us once done; the JDK resolver is replaced by a lookup the test controls.
 */
@Timeout(30)
class HostResolverTest {

    private final CountDownLatch answer = new CountDownLatch(1);
    private final AtomicInteger lookups = new AtomicInteger();
    private final HostResolver stalling = new HostResolver(host -> {
        lookups.incrementAndGet();
        try {
            answer.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new InetAddress[] {InetAddress.getLoopbackAddress()};
    });

    @AfterEach
    void release() {
        answer.countDown();
    }

    @Test
    void aLookupSlowerThanTheBudgetFailsInTime() {
        assertThatThrownBy(() -> stalling.resolve("slow.example", TimeUnit.MILLISECONDS.toNanos(200)))
                .isInstanceOf(TimeoutException.class);
        assertThat(lookups).hasValue(1);
    }

    @Test
    void theConnectorReportsAStalledLookupAsAConnectFailureNamingTheTimeout() {
        Connector connector = new Connector(stalling);
        Connector.Spec spec = new Connector.Spec("api", new HostKey("http", "slow.example", 80, null), Duration.ofMillis(300),
                Duration.ofSeconds(5), null, null, 100, 8192);
        assertThatThrownBy(() -> connector.open(spec)).isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("Resolving 'slow.example' for slow.example:80 timed out after 300 ms (connect-timeout)")
                .hasMessageContaining("mount 'api'");
    }

    @Test
    void callersOfANameUnderLookupShareThatOneLookup() throws Exception {
        List<CompletableFuture<InetAddress[]>> callers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            CompletableFuture<InetAddress[]> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    result.complete(stalling.resolve("shared.example", TimeUnit.SECONDS.toNanos(20)));
                }
                catch (Exception e) {
                    result.completeExceptionally(e);
                }
            });
            callers.add(result);
            threads.add(t);
            t.start();
        }
        awaitTrue(() -> threads.stream().allMatch(HostResolverTest::isWaitingForTheLookup), Duration.ofSeconds(10),
                "all 10 callers wait for the lookup");
        answer.countDown();
        for (CompletableFuture<InetAddress[]> c : callers) {
            assertThat(c.get(10, TimeUnit.SECONDS)).containsExactly(InetAddress.getLoopbackAddress());
        }
        assertThat(lookups).as("one lookup for 10 callers").hasValue(1);
    }

    private static boolean isWaitingForTheLookup(Thread t) {
        return Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(CompletableFuture.class.getName())
                && f.getMethodName().equals("get"));
    }

    @Test
    void aFinishedLookupIsNotKeptByUs() throws Exception {
        answer.countDown();
        stalling.resolve("again.example", TimeUnit.SECONDS.toNanos(10));
        stalling.resolve("again.example", TimeUnit.SECONDS.toNanos(10));
        assertThat(lookups).as("the JDK's cache decides what is cached, not we").hasValue(2);
    }

    @Test
    void addressLiteralsAreParsedWithoutALookupThread() throws Exception {
        HostResolver literalsOnly = new HostResolver(host -> {
            assertThat(Thread.currentThread().getName()).isNotEqualTo("pool-client-dns");
            return InetAddress.getAllByName(host);
        });
        assertThat(literalsOnly.resolve("127.0.0.1", 1)).containsExactly(InetAddress.getByName("127.0.0.1"));
        assertThat(literalsOnly.resolve("::1", 1)).hasSize(1);
    }

    @Test
    void anUnknownNameStaysAnUnknownHost() {
        HostResolver unknown = new HostResolver(host -> {
            throw new UnknownHostException(host + ": no such name");
        });
        assertThatThrownBy(() -> unknown.resolve("nowhere.invalid", TimeUnit.SECONDS.toNanos(10)))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("no such name");
    }
}
