package io.poolclient.bench;

import io.poolclient.testing.nginx.PrivateNginx;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Side-by-side throughput and latency of every contender through Spring's {@code RestClient} against
 * one private nginx on 127.0.0.1.
 *
 * <p>For each cell (thread count × body size) every contender is built fresh, then run in interleaved
 * rounds, A B C … A B C …, so that drift of the (shared, noisy) machine hits all alike: one warm-up
 * round, then {@code rounds} measured rounds of {@code round-ms} each. Every worker loop is bounded by
 * a deadline and by a request count; a run whose workers do not finish within a grace period is
 * abandoned and reported. Connections opened are nginx {@code stub_status} accepts over the warm-up
 * and all rounds of that contender (its own probes excluded).
 *
 * <p>Usage: {@code SideBySide [--smoke] [--threads 1,16,64] [--virtual 64|0] [--sizes small,json,big]
 * [--contenders ...] [--warmup-ms N] [--round-ms N] [--rounds N] [--maxsize N|threads] [--out file.md]}
 */
public final class SideBySide {

    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_ERRORS_PER_WORKER = 50;

    /** Command-line settings. */
    static final class Settings {
        List<Integer> threads = List.of(1, 16, 64);
        int virtualThreads = 64;
        List<String> sizes = List.of("small", "json", "big");
        List<String> contenders = Contenders.SIDE_BY_SIDE;
        long warmupMs = 1000;
        long roundMs = 1200;
        int rounds = 3;
        int maxsize = 16;
        long maxRequestsPerThread = 2_000_000;
        long jvmWarmupMs = 1500;
        Path out = Path.of("side-by-side.md");
        boolean smoke;

        /** The connection cap of a cell: {@link #maxsize}, or the thread count with {@code --maxsize threads}. */
        int maxsizeFor(Load load) {
            return maxsize > 0 ? maxsize : load.threads();
        }

        /** The contender the report compares everyone with: the first one given. */
        String lead() {
            return contenders.get(0);
        }

        static Settings parse(String[] args) {
            Settings s = new Settings();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--smoke")) {
                    s.smoke = true;
                    s.warmupMs = 100;
                    s.roundMs = 200;
                    s.rounds = 1;
                    s.jvmWarmupMs = 150;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--threads" -> s.threads = Arrays.stream(v.split(",")).map(String::trim).map(Integer::valueOf).toList();
                    case "--virtual" -> s.virtualThreads = Integer.parseInt(v);
                    case "--sizes" -> s.sizes = List.of(v.split(","));
                    case "--contenders" -> s.contenders = List.of(v.split(","));
                    case "--warmup-ms" -> s.warmupMs = Long.parseLong(v);
                    case "--round-ms" -> s.roundMs = Long.parseLong(v);
                    case "--rounds" -> s.rounds = Integer.parseInt(v);
                    case "--maxsize" -> s.maxsize = v.equals("threads") ? 0 : Integer.parseInt(v);
                    case "--max-requests" -> s.maxRequestsPerThread = Long.parseLong(v);
                    case "--jvm-warmup-ms" -> s.jvmWarmupMs = Long.parseLong(v);
                    case "--out" -> s.out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return s;
        }
    }

    /** One thread count, platform or virtual. */
    record Load(int threads, boolean virtual) {
        String label() {
            return threads + (virtual ? " virtual" : "");
        }
    }

    /** What one run of one contender measured. */
    record Run(long requests, long errors, long nanos, long cpuNanos, Histogram latency, String firstError, boolean stuck) {
    }

    /** Everything measured for one contender in one cell. */
    static final class Tally {
        final String id;
        long requests;
        long errors;
        long nanos;
        long cpuNanos;
        long connections;
        final Histogram latency = new Histogram();
        final List<Double> roundRates = new ArrayList<>();
        String firstError;
        boolean stuck;
        /** Connections by the protocol the server logged for them, where the server logs it. */
        final Map<String, Long> protocols = new java.util.TreeMap<>();

        Tally(String id) {
            this.id = id;
        }

        double rate() {
            return nanos == 0 ? 0 : requests * 1e9 / nanos;
        }

        /** CPU time of this whole JVM (all its threads) per request, in microseconds. */
        double cpuMicrosPerRequest() {
            return requests == 0 || cpuNanos < 0 ? Double.NaN : cpuNanos / 1000.0 / requests;
        }

        /** (max - min) / mean of the per-round rates. */
        double spread() {
            if (roundRates.size() < 2) {
                return 0;
            }
            double min = roundRates.stream().mapToDouble(d -> d).min().orElse(0);
            double max = roundRates.stream().mapToDouble(d -> d).max().orElse(0);
            double mean = roundRates.stream().mapToDouble(d -> d).average().orElse(0);
            return mean == 0 ? 0 : (max - min) / mean;
        }

        void absorb(Run run, long opened, boolean measured) {
            connections += opened;
            errors += run.errors();
            stuck |= run.stuck();
            if (firstError == null) {
                firstError = run.firstError();
            }
            if (measured) {
                requests += run.requests();
                nanos += run.nanos();
                cpuNanos += run.cpuNanos();
                latency.add(run.latency());
                roundRates.add(run.nanos() == 0 ? 0 : run.requests() * 1e9 / run.nanos());
            }
        }
    }

    /** One cell's results, in contender order. */
    record Cell(Load load, Target target, Map<String, Tally> tallies) {
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        Contenders.configureHttpUrlConnection(s.maxsize > 0 ? s.maxsize : s.threads.stream().max(Integer::compare).orElse(16));
        List<Load> loads = new ArrayList<>();
        s.threads.forEach(t -> loads.add(new Load(t, false)));
        boolean virtualAvailable = virtualThreadsSupported();
        if (s.virtualThreads > 0 && virtualAvailable) {
            loads.add(new Load(s.virtualThreads, true));
        }
        Map<String, String> descriptions = new LinkedHashMap<>();
        List<Cell> cells = new ArrayList<>();
        long started = System.nanoTime();
        try (PrivateNginx nginx = Nginx.start()) {
            warmUpJvm(s, nginx);
            for (String size : s.sizes) {
                Target target = Target.of(nginx, size);
                for (Load load : loads) {
                    cells.add(runCell(s, nginx, target, load, descriptions));
                }
            }
        }
        String report = Report.sideBySide(s, cells, descriptions, virtualAvailable,
                (System.nanoTime() - started) / 1_000_000_000);
        Files.createDirectories(s.out.toAbsolutePath().getParent());
        Files.writeString(s.out, report);
        System.out.println("side-by-side: wrote " + s.out);
        System.exit(0); // some peers keep non-daemon threads (Reactor's event loops)
    }

    /**
     * Before the first cell, runs every contender on every size with a few threads so that the JIT has
     * compiled the common paths (Spring's included) before anything is measured. Not reported.
     */
    private static void warmUpJvm(Settings s, PrivateNginx nginx) throws Exception {
        if (s.jvmWarmupMs <= 0) {
            return;
        }
        long perRun = Math.max(50, s.jvmWarmupMs / s.sizes.size());
        for (String id : s.contenders) {
            Load load = new Load(4, false);
            try (Contender c = Contenders.create(id, nginx, s.maxsizeFor(load))) {
                for (String size : s.sizes) {
                    run(c, Target.of(nginx, size), load, perRun, s.maxRequestsPerThread);
                }
            }
        }
        System.out.println("JVM warm-up done");
    }

    private static Cell runCell(Settings s, PrivateNginx nginx, Target target, Load load, Map<String, String> descriptions)
            throws Exception {
        Map<String, Contender> contenders = new LinkedHashMap<>();
        Map<String, Tally> tallies = new LinkedHashMap<>();
        try {
            for (String id : s.contenders) {
                Contender c = Contenders.create(id, nginx, s.maxsizeFor(load));
                contenders.put(id, c);
                descriptions.putIfAbsent(id, c.description());
                tallies.put(id, new Tally(id));
            }
            for (int round = 0; round <= s.rounds; round++) {
                boolean measured = round > 0;
                for (Contender c : contenders.values()) {
                    long before = nginx.acceptsExcludingSelf();
                    Run run = run(c, target, load, measured ? s.roundMs : s.warmupMs, s.maxRequestsPerThread);
                    long opened = nginx.acceptsExcludingSelf() - before;
                    tallies.get(c.id()).absorb(run, opened, measured);
                    if (!nginx.isRunning()) {
                        throw new IllegalStateException("nginx died: " + nginx.log());
                    }
                }
            }
        }
        finally {
            contenders.values().forEach(Contender::close);
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s %-10s", target.name(), load.label()));
        tallies.values().forEach(t -> line.append(String.format(Locale.ROOT, "  %s %.0f/s p99 %dus c%d%s", t.id, t.rate(),
                t.latency.quantile(0.99) / 1000, t.connections, t.errors > 0 ? " ERR" + t.errors : "")));
        System.out.println(line);
        return new Cell(load, target, tallies);
    }

    /** Runs {@code threads} workers against one contender for {@code millis}, bounded by count too. */
    static Run run(Contender c, Target target, Load load, long millis, long maxRequests) throws InterruptedException {
        ExecutorService pool = load.virtual() ? virtualExecutor() : Executors.newFixedThreadPool(load.threads(), r -> {
            Thread t = new Thread(r, "bench-" + c.id());
            t.setDaemon(true);
            return t;
        });
        int n = load.threads();
        Worker[] workers = new Worker[n];
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        long[] start = new long[1];
        for (int i = 0; i < n; i++) {
            Worker w = new Worker(c, target, maxRequests, ready, go, start, TimeUnit.MILLISECONDS.toNanos(millis));
            workers[i] = w;
            pool.execute(w);
        }
        ready.await(30, TimeUnit.SECONDS);
        long cpuBefore = processCpuNanos();
        start[0] = System.nanoTime();
        go.countDown();
        pool.shutdown();
        boolean finished = pool.awaitTermination(TimeUnit.MILLISECONDS.toNanos(millis) + GRACE_NANOS, TimeUnit.NANOSECONDS);
        long elapsed = System.nanoTime() - start[0];
        long cpuAfter = processCpuNanos();
        if (!finished) {
            pool.shutdownNow();
        }
        long requests = 0;
        long errors = 0;
        String firstError = null;
        Histogram latency = new Histogram();
        for (Worker w : workers) {
            requests += w.requests;
            errors += w.errors;
            latency.add(w.latency);
            if (firstError == null) {
                firstError = w.firstError;
            }
        }
        long cpu = cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore;
        return new Run(requests, errors, elapsed, cpu, latency, finished ? firstError : "run did not finish in time", !finished);
    }

    /** One benchmark thread: GETs until the deadline or its request budget, timing each. */
    private static final class Worker implements Runnable {
        private final Contender contender;
        private final Target target;
        private final long maxRequests;
        private final CountDownLatch ready;
        private final CountDownLatch go;
        private final long[] start;
        private final long duration;
        final Histogram latency = new Histogram();
        volatile long requests;
        volatile long errors;
        volatile String firstError;

        Worker(Contender contender, Target target, long maxRequests, CountDownLatch ready, CountDownLatch go,
                long[] start, long duration) {
            this.contender = contender;
            this.target = target;
            this.maxRequests = maxRequests;
            this.ready = ready;
            this.go = go;
            this.start = start;
            this.duration = duration;
        }

        @Override
        public void run() {
            ready.countDown();
            try {
                go.await();
            }
            catch (InterruptedException e) {
                return;
            }
            long deadline = start[0] + duration;
            long done = 0;
            long failed = 0;
            int expected = target.expectedLength();
            while (done < maxRequests && failed < MAX_ERRORS_PER_WORKER && !Thread.currentThread().isInterrupted()) {
                long t0 = System.nanoTime();
                if (t0 - deadline >= 0) {
                    break;
                }
                try {
                    int length = contender.get(target);
                    long t1 = System.nanoTime();
                    if (length == expected) {
                        latency.record(t1 - t0);
                        done++;
                    }
                    else {
                        failed++;
                        noteError("body of " + length + " bytes, expected " + expected);
                    }
                }
                catch (Throwable e) {
                    failed++;
                    noteError(describe(e));
                }
            }
            requests = done;
            errors = failed;
        }

        private void noteError(String what) {
            if (firstError == null) {
                firstError = what;
            }
        }
    }

    /** CPU time of this JVM so far (all threads), or -1 where the platform does not say. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            out.append(" <- ").append(c);
        }
        return out.toString();
    }

    static boolean virtualThreadsSupported() {
        try {
            Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return true;
        }
        catch (NoSuchMethodException onJava17) {
            return false;
        }
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} on Java 21+, else {@code null}. */
    static ExecutorService virtualExecutor() {
        try {
            Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        }
        catch (NoSuchMethodException onJava17) {
            return null;
        }
        catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
