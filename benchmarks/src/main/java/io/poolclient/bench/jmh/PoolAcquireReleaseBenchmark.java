package io.poolclient.bench.jmh;

import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.HostPool;
import io.poolclient.internal.pool.Lease;
import io.poolclient.MountSettings;
import io.poolclient.PoolListener;
import io.poolclient.internal.pool.PooledConnection;
import io.poolclient.internal.pool.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.io.ModalCloseable;
import org.apache.hc.core5.pool.LaxConnPool;
import org.apache.hc.core5.pool.ManagedConnPool;
import org.apache.hc.core5.pool.PoolEntry;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.pool.StrictConnPool;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Acquire + release of an idle connection: pool-client's {@link HostPool} against httpcore5's
 * {@link StrictConnPool} and {@link LaxConnPool}, each holding {@value #CONNECTIONS} idle connections
 * with a transport that does no I/O. Every pool is capped at {@value #CONNECTIONS} (HostPool with
 * {@code pool-block}), so with more threads than connections callers wait, as in a real blocking pool.
 * Run with 1, 2, 8 and 64 threads ({@code -t}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolAcquireReleaseBenchmark {

    public static final int CONNECTIONS = 16;

    @Param({"pool-client", "httpcore5-strict", "httpcore5-lax"})
    public String pool;

    /**
     * Time a lease is held, parked as if waiting on the socket (0: none, the suite's setting). For
     * experiments: {@code -p holdMicros=50 -bm sample} shows how waits are spread when holders block.
     */
    @Param({"0"})
    public int holdMicros;

    private Subject subject;

    /** One pool under test, behind the two calls the benchmark makes. */
    interface Subject {
        Object acquire() throws Exception;

        void release(Object connection);

        void close();
    }

    @Setup
    public void setUp() throws Exception {
        subject = switch (pool) {
            case "pool-client" -> new HostPoolSubject();
            case "httpcore5-strict" -> new HttpCoreSubject(new StrictConnPool<>(CONNECTIONS, CONNECTIONS,
                    TimeValue.NEG_ONE_MILLISECOND, PoolReusePolicy.LIFO, null));
            case "httpcore5-lax" -> new HttpCoreSubject(new LaxConnPool<>(CONNECTIONS,
                    TimeValue.NEG_ONE_MILLISECOND, PoolReusePolicy.LIFO, null));
            default -> throw new IllegalArgumentException(pool);
        };
        List<Object> all = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            all.add(subject.acquire());
        }
        all.forEach(subject::release);
    }

    @TearDown
    public void tearDown() {
        subject.close();
    }

    @Benchmark
    public Object acquireRelease() throws Exception {
        Object c = subject.acquire();
        if (holdMicros > 0) {
            LockSupport.parkNanos(holdMicros * 1000L);
        }
        subject.release(c);
        return c;
    }

    /** A transport that never touches the network. */
    static final class FakeTransport implements Transport {
        @Override
        public boolean isStale() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /** httpcore5's connection type: nothing to close. */
    static final class FakeConnection implements ModalCloseable {
        @Override
        public void close(CloseMode mode) {
        }

        @Override
        public void close() {
        }
    }

    static final class HostPoolSubject implements Subject {
        private static final Duration TIMEOUT = Duration.ofSeconds(30);
        private static final HostPool.Opener OPENER = () -> new PooledConnection(new FakeTransport(), System.nanoTime());
        private final HostPool pool = new HostPool("bench", new HostKey("http", "127.0.0.1", 8080, null),
                MountSettings.builder().poolMaxsize(CONNECTIONS).poolBlock(true).build().withFallback(MountSettings.BUILT_IN),
                PoolListener.NONE);

        @Override
        public Object acquire() throws Exception {
            return pool.acquire(TIMEOUT, OPENER);
        }

        @Override
        public void release(Object connection) {
            ((Lease) connection).release();
        }

        @Override
        public void close() {
            pool.shutdown();
        }
    }

    static final class HttpCoreSubject implements Subject {
        private static final String ROUTE = "http://127.0.0.1:8080";
        private final ManagedConnPool<String, FakeConnection> pool;

        HttpCoreSubject(ManagedConnPool<String, FakeConnection> pool) {
            this.pool = pool;
        }

        @Override
        public Object acquire() throws Exception {
            PoolEntry<String, FakeConnection> entry = pool.lease(ROUTE, null, Timeout.DISABLED, null).get(); // = lease(route, state)
            if (!entry.hasConnection()) {
                entry.assignConnection(new FakeConnection());
            }
            return entry;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void release(Object connection) {
            pool.release((PoolEntry<String, FakeConnection>) connection, true);
        }

        @Override
        public void close() {
            pool.close(CloseMode.IMMEDIATE);
        }
    }
}
