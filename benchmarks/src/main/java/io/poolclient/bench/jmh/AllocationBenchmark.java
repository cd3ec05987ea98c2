package io.poolclient.bench.jmh;

import io.poolclient.bench.Contender;
import io.poolclient.bench.Contenders;
import io.poolclient.bench.Nginx;
import io.poolclient.bench.Target;
import io.poolclient.testing.nginx.PrivateNginx;
import java.util.concurrent.TimeUnit;
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
 * One small GET ({@code /small}, 13 bytes) on a warm keep-alive connection to a private nginx, one
 * thread: run with {@code -prof gc} for bytes allocated per request. The server is a separate process,
 * so only the client's allocations (on every JVM thread, its I/O threads included) are counted.
 * {@code pool-client-engine} is {@code PoolClient.execute} without Spring; all others go through
 * {@code RestClient}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AllocationBenchmark {

    @Param({"pool-client-engine", "pool-client", "hc5", "jdk", "jetty", "reactor", "simple", "raw"})
    public String client;

    private PrivateNginx nginx;
    private Contender contender;
    private Target target;

    @Setup
    public void setUp() throws Exception {
        Contenders.configureHttpUrlConnection(4);
        nginx = Nginx.start();
        target = Target.of(nginx, "small");
        contender = Contenders.create(client, nginx, 4);
        int length = contender.get(target);
        if (length != target.expectedLength()) {
            throw new IllegalStateException(client + " read " + length + " bytes, expected " + target.expectedLength());
        }
    }

    @TearDown
    public void tearDown() {
        contender.close();
        nginx.close();
    }

    @Benchmark
    public int get() throws Exception {
        return contender.get(target);
    }
}
