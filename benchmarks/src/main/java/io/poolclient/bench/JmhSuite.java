package io.poolclient.bench;

import io.poolclient.bench.jmh.AllocationBenchmark;
import io.poolclient.bench.jmh.PoolAcquireReleaseBenchmark;
import io.poolclient.bench.jmh.PoolManagerLookupBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH part (pool acquire+release, LRU lookup, allocation per GET) with fixed, bounded
 * settings and writes its Markdown tables. Usage: {@code JmhSuite [--smoke] [--out file.md]
 * [--only pool,lru,alloc]}.
 */
public final class JmhSuite {

    private static final int[] POOL_THREADS = {1, 2, 8, 64};

    private final boolean smoke;

    private JmhSuite(boolean smoke) {
        this.smoke = smoke;
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        Path out = Path.of("jmh.md");
        List<String> only = List.of("pool", "lru", "alloc");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        JmhSuite suite = new JmhSuite(smoke);
        long started = System.nanoTime();
        StringBuilder md = new StringBuilder();
        md.append("## JMH: the pool's own cost\n\n");
        md.append(smoke ? "**SMOKE MODE** (1 short iteration each: numbers are not meaningful).\n\n"
                : "JMH 1.37, 1 fork per case, warm-up 2 × 1 s (allocation: 3 × 1 s), measurement 3 × 1 s; "
                        + "± is JMH's 99.9% confidence half-width.\n\n");
        if (only.contains("pool")) {
            md.append(suite.pool());
        }
        if (only.contains("lru")) {
            md.append(suite.lru());
        }
        if (only.contains("alloc")) {
            md.append(suite.alloc());
        }
        md.append(String.format(Locale.ROOT, "JMH wall time: %d s.\n\n", (System.nanoTime() - started) / 1_000_000_000));
        Files.writeString(out, md);
        System.out.println("jmh: wrote " + out);
    }

    private ChainedOptionsBuilder options(Class<?> benchmark, int warmups, int measurements) {
        return new OptionsBuilder()
                .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
                .forks(1)
                .warmupIterations(smoke ? 1 : warmups)
                .warmupTime(smoke ? TimeValue.milliseconds(100) : TimeValue.seconds(1))
                .measurementIterations(smoke ? 1 : measurements)
                .measurementTime(smoke ? TimeValue.milliseconds(200) : TimeValue.seconds(1))
                .timeout(TimeValue.seconds(60))
                .jvmArgsAppend("-Xms512m", "-Xmx512m")
                .shouldFailOnError(true);
    }

    private String pool() throws RunnerException {
        Map<String, Map<Integer, Result<?>>> byPool = new LinkedHashMap<>();
        for (int threads : POOL_THREADS) {
            Collection<RunResult> results = new Runner(options(PoolAcquireReleaseBenchmark.class, 2, 3)
                    .threads(threads).build()).run();
            for (RunResult r : results) {
                byPool.computeIfAbsent(r.getParams().getParam("pool"), k -> new LinkedHashMap<>())
                        .put(threads, r.getPrimaryResult());
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("### Acquire + release of an idle connection\n\n");
        md.append("16 idle connections, fake transport (no I/O), every pool capped at 16 (pool-client: `pool-block` "
                + "true). Cell: average ns per acquire+release in each thread, then total throughput of all threads "
                + "(threads / avg time).\n\n");
        md.append("| pool |");
        for (int t : POOL_THREADS) {
            md.append(' ').append(t).append(t == 1 ? " thread |" : " threads |");
        }
        md.append("\n|---|");
        for (int ignored : POOL_THREADS) {
            md.append("---:|");
        }
        md.append('\n');
        byPool.forEach((name, row) -> {
            md.append("| ").append(name.equals("pool-client") ? "**pool-client** `HostPool`" : "`" + name + "`").append(" |");
            for (int t : POOL_THREADS) {
                Result<?> r = row.get(t);
                md.append(r == null ? " - |" : String.format(Locale.ROOT, " %.1f ± %.1f ns (%.1f M/s) |", r.getScore(),
                        err(r), t * 1e3 / r.getScore()));
            }
            md.append('\n');
        });
        md.append('\n');
        Map<Integer, Result<?>> ours = byPool.get("pool-client");
        if (ours != null) {
            md.append("Targets: uncontended ≤ 100 ns: ");
            Result<?> one = ours.get(1);
            md.append(one == null ? "-" : String.format(Locale.ROOT, "%.1f ns %s", one.getScore(), verdict(one.getScore() <= 100, one)));
            md.append("; ahead of both httpcore5 pools (lower avg time = higher total throughput) at ");
            List<String> verdicts = new ArrayList<>();
            for (int t : POOL_THREADS) {
                Result<?> mineResult = ours.get(t);
                double mine = mineResult != null ? mineResult.getScore() : Double.NaN;
                Result<?> bestResult = null;
                for (Map.Entry<String, Map<Integer, Result<?>>> e : byPool.entrySet()) {
                    Result<?> peer = e.getValue().get(t);
                    if (!e.getKey().equals("pool-client") && peer != null
                            && (bestResult == null || peer.getScore() < bestResult.getScore())) {
                        bestResult = peer;
                    }
                }
                double best = bestResult != null ? bestResult.getScore() : Double.MAX_VALUE;
                verdicts.add(String.format(Locale.ROOT, "%d: %.2f× %s", t, best / mine,
                        verdict(mine < best, mineResult, bestResult)));
            }
            md.append(String.join(", ", verdicts)).append(" (best httpcore5 time / pool-client time).");
            if (md.indexOf("❓") >= 0) {
                md.append(' ').append(UNDECIDED_LEGEND);
            }
            md.append("\n\n");
        }
        return md.toString();
    }

    private String lru() throws RunnerException {
        Collection<RunResult> results = new Runner(options(PoolManagerLookupBenchmark.class, 2, 3).threads(1).build()).run();
        Map<String, Map<String, Result<?>>> byMethod = new LinkedHashMap<>();
        List<String> sizes = List.of("1", "100", "10000");
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            byMethod.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(r.getParams().getParam("pools"),
                    r.getPrimaryResult());
        }
        StringBuilder md = new StringBuilder();
        md.append("### `PoolManager.pool(key)`: LRU lookup\n\n");
        md.append("A mount holding N host pools (`pool-connections` = N, nothing evicted), one thread. `hotKey`: the "
                + "same host, prebuilt key; `freshKey`: the same host, a new `HostKey` per call as the engine builds it; "
                + "`rotatingKeys`: every pool in turn.\n\n");
        md.append("| lookup | 1 pool | 100 pools | 10,000 pools | 10,000 ÷ 1 (flat: ≤ 1.20) |\n|---|---:|---:|---:|---:|\n");
        byMethod.forEach((method, row) -> {
            md.append("| `").append(method).append("` |");
            for (String n : sizes) {
                Result<?> r = row.get(n);
                md.append(r == null ? " - |" : String.format(Locale.ROOT, " %.1f ± %.1f ns |", r.getScore(), err(r)));
            }
            Result<?> one = row.get("1");
            Result<?> many = row.get("10000");
            if (one != null && many != null) {
                double f = many.getScore() / one.getScore();
                md.append(String.format(Locale.ROOT, " %.2f %s |", f, verdict(f <= 1.20, one, many)));
            }
            else {
                md.append(" - |");
            }
            md.append('\n');
        });
        md.append('\n');
        if (md.indexOf("❓") >= 0) {
            md.append(UNDECIDED_LEGEND).append("\n\n");
        }
        return md.toString();
    }

    private String alloc() throws RunnerException {
        Collection<RunResult> results = new Runner(options(AllocationBenchmark.class, 3, 3).threads(1)
                .addProfiler(GCProfiler.class).build()).run();
        StringBuilder md = new StringBuilder();
        md.append("### Allocation per small GET (`-prof gc`)\n\n");
        md.append("`GET /small` (13 bytes) on a warm keep-alive connection to the private nginx, one thread. B/op is "
                + "JMH's `gc.alloc.rate.norm`: bytes allocated by all threads of the JVM per request (the I/O threads "
                + "of jdk, jetty and reactor included). `pool-client-engine` = `PoolClient.execute` without Spring, "
                + "body read into a reused buffer; every other row goes through `RestClient` and reads a `byte[]`.\n\n");
        md.append("| client | B/op | µs/op | B/op × pool-client |\n|---|---:|---:|---:|\n");
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (RunResult r : results) {
            Result<?> norm = secondary(r, "gc.alloc.rate.norm");
            rows.put(r.getParams().getParam("client"), new double[] {norm == null ? Double.NaN : norm.getScore(),
                    r.getPrimaryResult().getScore()});
        }
        double ours = rows.containsKey("pool-client") ? rows.get("pool-client")[0] : Double.NaN;
        String bestPeer = null;
        for (String peer : Contenders.PEERS) {
            if (rows.containsKey(peer) && (bestPeer == null || rows.get(peer)[0] < rows.get(bestPeer)[0])) {
                bestPeer = peer;
            }
        }
        rows.forEach((name, v) -> md.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.2f |\n",
                name.startsWith("pool-client") ? "**" + name + "**" : name, v[0], v[1], v[0] / ours)));
        md.append('\n');
        if (bestPeer != null && !Double.isNaN(ours)) {
            double peer = rows.get(bestPeer)[0];
            md.append(String.format(Locale.ROOT, "Target: pool-client (RestClient) at or below the best peer (`%s`, %,.0f B/op): "
                    + "%,.0f B/op, %.2f× %s\n\n", bestPeer, peer, ours, ours / peer, ours <= peer ? "✅" : "❌"));
        }
        return md.toString();
    }

    private static Result<?> secondary(RunResult r, String suffix) {
        for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith(suffix)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** What a ❓ means, for the report. */
    static final String UNDECIDED_LEGEND = "❓: a 99.9 % interval wider than the mean it rests on (the machine moved "
            + "while that case ran): the verdict is left open.";

    /**
     * ✅ or ❌ for {@code ok}, or ❓ when one of the {@code compared} results is {@linkplain #decided not
     * decided}: a verdict resting on it says nothing.
     */
    static String verdict(boolean ok, Result<?>... compared) {
        for (Result<?> r : compared) {
            if (r != null && !decided(r.getScore(), r.getScoreError())) {
                return "❓";
            }
        }
        return ok ? "✅" : "❌";
    }

    /**
     * Whether a score with this 99.9 % half-width can decide a target: the interval is no wider than the
     * score itself. A single measurement has no interval (NaN) and counts as decided.
     */
    static boolean decided(double score, double error) {
        return Double.isNaN(error) || error <= Math.abs(score);
    }

    private static double err(Result<?> r) {
        double e = r.getScoreError();
        return Double.isNaN(e) ? 0 : e;
    }
}
