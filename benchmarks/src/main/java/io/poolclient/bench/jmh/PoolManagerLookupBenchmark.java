package io.poolclient.bench.jmh;

import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.HostPool;
import io.poolclient.MountSettings;
import io.poolclient.PoolListener;
import io.poolclient.internal.pool.PoolManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link PoolManager#pool(HostKey)} on a mount that holds {@code pools} host pools (and keeps that
 * many, so nothing is evicted): the LRU lookup every request makes.
 *
 * <ul>
 *   <li>{@code hotKey}: the same host every time, a prebuilt key (a service talking to one upstream).</li>
 *   <li>{@code freshKey}: the same host, the key built per call as the engine does from the URL.</li>
 *   <li>{@code rotatingKeys}: every pool in turn (worst case for caches: each lookup moves another entry
 *   to the LRU tail).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolManagerLookupBenchmark {

    @Param({"1", "100", "10000"})
    public int pools;

    private PoolManager manager;
    private HostKey[] keys;
    private HostKey hot;
    private String hotHost;
    private int next;

    @Setup
    public void setUp() {
        manager = new PoolManager("bench", pools, key -> new HostPool("bench", key, MountSettings.BUILT_IN, PoolListener.NONE),
                PoolListener.NONE);
        keys = new HostKey[pools];
        for (int i = 0; i < pools; i++) {
            keys[i] = new HostKey("http", "host-" + i + ".example", 8080, null);
            manager.pool(keys[i]);
        }
        hot = keys[pools / 2];
        hotHost = hot.host();
    }

    @Benchmark
    public HostPool hotKey() {
        return manager.pool(hot);
    }

    @Benchmark
    public HostPool freshKey() {
        return manager.pool(new HostKey("http", hotHost, 8080, null));
    }

    @Benchmark
    public HostPool rotatingKeys() {
        int i = next;
        next = i + 1 == keys.length ? 0 : i + 1;
        return manager.pool(keys[i]);
    }
}
