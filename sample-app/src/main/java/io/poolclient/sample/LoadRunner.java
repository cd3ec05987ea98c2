package io.poolclient.sample;

import io.poolclient.ClientSnapshot;
import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import io.poolclient.PoolTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * Starts bounded load on one mount for the page's controls: {@code calls} GETs released at once on
 * a thread each, to the sample's own upstream through the mount's prefix, each answered after
 * {@code delayMs} and failing {@code failPercent} percent of the time. So overflow (more callers
 * than {@code pool-maxsize}), blocking (callers waiting) and retries can be watched happening.
 * <p>
 * Bounds: at most {@value #MAX_CALLS} calls per run, one run at a time, every run given up after
 * {@link #MAX_RUN}; each run has its own executor, shut down when the run ends. Thread-safe: the
 * web layer may call {@link #start} and {@link #status} from any thread; the counters only grow.
 */
@Component
class LoadRunner implements DisposableBean {

    static final int MAX_CALLS = 100;
    static final long MAX_DELAY_MS = UpstreamController.MAX_WAIT.toMillis();
    static final Duration MAX_RUN = Duration.ofSeconds(60);

    /**
     * What to start.
     *
     * @param mount the mount to load (its prefix must lead to this application's {@code /upstream})
     * @param calls concurrent calls, 1 to {@value #MAX_CALLS}
     * @param delayMs how long the upstream takes to answer each, 0 to 5000
     * @param failPercent percentage of answers that are 503, 0 to 100
     */
    record LoadRequest(String mount, int calls, long delayMs, int failPercent) {
    }

    /**
     * One run as the page shows it.
     *
     * @param id the run's number, from 1
     * @param mount the mount loaded
     * @param url the URL called
     * @param calls calls started
     * @param running whether calls are still in flight
     * @param ok calls answered 2xx
     * @param failedStatus calls answered with an error status (after the mount's retries)
     * @param poolTimeouts calls that waited longer than {@code pool-timeout} for a connection
     * @param otherErrors calls that failed otherwise
     * @param retries attempts beyond one per call, from the mount's pools while the run lasted
     */
    record LoadStatus(long id, String mount, String url, int calls, boolean running, int ok, int failedStatus,
            int poolTimeouts, int otherErrors, long retries) {
    }

    /**
     * Totals over every run since start-up.
     *
     * @param runs runs started
     * @param calls calls made
     * @param failedStatus calls answered with an error status
     * @param poolTimeouts calls that timed out waiting for a connection
     * @param otherErrors calls that failed otherwise
     * @param retries attempts beyond one per call
     * @param last the latest run, or {@code null} before the first
     */
    record Totals(long runs, long calls, long failedStatus, long poolTimeouts, long otherErrors, long retries,
            LoadStatus last) {
    }

    /** Refused: a run is in progress, or the request is out of bounds. */
    static final class LoadRefusedException extends RuntimeException {

        final boolean busy;

        LoadRefusedException(String message, boolean busy) {
            super(message);
            this.busy = busy;
        }
    }

    private final RestClient rest;
    private final PoolClient pools;
    private final Environment environment;
    private final AtomicReference<Run> current = new AtomicReference<>();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failedStatus = new AtomicLong();
    private final AtomicLong poolTimeouts = new AtomicLong();
    private final AtomicLong otherErrors = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    LoadRunner(RestClient.Builder builder, PoolClient pools, Environment environment) {
        this.rest = builder.build();
        this.pools = pools;
        this.environment = environment;
    }

    /**
     * Starts a run and returns at once.
     *
     * @throws LoadRefusedException if a run is in progress or the request is out of bounds
     */
    LoadStatus start(LoadRequest request) {
        String url = url(request);
        Run run = new Run(runs.get() + 1, request, url);
        Run previous = current.get();
        if ((previous != null && previous.running()) || !current.compareAndSet(previous, run)) {
            throw new LoadRefusedException("a load run is in progress; try again when it has finished", true);
        }
        runs.incrementAndGet();
        Thread coordinator = new Thread(run::execute, "sample-load-" + run.id);
        coordinator.setDaemon(true);
        coordinator.start();
        return run.status();
    }

    /** Totals since start-up and the latest run. */
    Totals status() {
        Run run = current.get();
        return new Totals(runs.get(), calls.get(), failedStatus.get(), poolTimeouts.get(), otherErrors.get(),
                retries.get(), run == null ? null : run.status());
    }

    /**
     * Waits until no run is in progress.
     *
     * @return {@code false} if the run in progress had not ended within {@code timeout}
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        Run run = current.get();
        return run == null || run.finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the run in progress, if any (its calls are interrupted). */
    @Override
    public void destroy() {
        Run run = current.get();
        if (run != null) {
            run.stop();
        }
    }

    private String url(LoadRequest request) {
        if (request.calls() < 1 || request.calls() > MAX_CALLS) {
            throw new LoadRefusedException("calls must be 1 to " + MAX_CALLS, false);
        }
        if (request.delayMs() < 0 || request.delayMs() > MAX_DELAY_MS) {
            throw new LoadRefusedException("delayMs must be 0 to " + MAX_DELAY_MS, false);
        }
        if (request.failPercent() < 0 || request.failPercent() > 100) {
            throw new LoadRefusedException("failPercent must be 0 to 100", false);
        }
        MountSnapshot mount = pools.snapshot().mount(String.valueOf(request.mount()))
                .orElseThrow(() -> new LoadRefusedException("no mount '" + request.mount() + "'", false));
        String prefix = mount.prefix();
        int port = environment.getRequiredProperty("local.server.port", Integer.class);
        String base;
        if (prefix.equals("http://")) {
            base = "http://127.0.0.1:" + port + "/upstream/load";
        }
        else if (!prefix.startsWith("http://")) {
            throw new LoadRefusedException("mount '" + mount.name() + "' is not served by this sample's upstream", false);
        }
        else if (prefix.endsWith("/")) {
            base = prefix + "upstream/load";
        }
        else {
            base = prefix;
        }
        return base + "?ms=" + request.delayMs() + "&fail=" + request.failPercent();
    }

    /** Exchanges sent on a mount's pools so far, retries included. */
    private long attempts(String mount) {
        ClientSnapshot snapshot = pools.snapshot();
        long sum = 0;
        for (PoolSnapshot pool : snapshot.mount(mount).map(MountSnapshot::pools).orElse(List.of())) {
            sum += pool.requests();
        }
        return sum;
    }

    /** One run: its counters, its executor, and the coordinator thread's work. */
    private final class Run {

        final long id;
        final LoadRequest request;
        final String url;
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger timedOut = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicLong retried = new AtomicLong();
        final CountDownLatch finished = new CountDownLatch(1);
        volatile ExecutorService threads;
        volatile boolean done;

        Run(long id, LoadRequest request, String url) {
            this.id = id;
            this.request = request;
            this.url = url;
        }

        boolean running() {
            return !done;
        }

        LoadStatus status() {
            return new LoadStatus(id, request.mount(), url, request.calls(), !done, ok.get(), failed.get(),
                    timedOut.get(), errors.get(), retried.get());
        }

        void execute() {
            long attemptsBefore = attempts(request.mount());
            ExecutorService threads = Executors.newFixedThreadPool(request.calls(), r -> {
                Thread t = new Thread(r, "sample-load-" + id + "-call");
                t.setDaemon(true);
                return t;
            });
            this.threads = threads;
            try {
                CountDownLatch go = new CountDownLatch(1);
                for (int i = 0; i < request.calls(); i++) {
                    threads.execute(() -> {
                        try {
                            go.await();
                            call();
                        }
                        catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                go.countDown();
                threads.shutdown();
                if (!threads.awaitTermination(MAX_RUN.toMillis(), TimeUnit.MILLISECONDS)) {
                    threads.shutdownNow();
                    threads.awaitTermination(10, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finally {
                threads.shutdownNow();
                try {
                    long extra = Math.max(0, attempts(request.mount()) - attemptsBefore - request.calls());
                    retried.set(extra);
                    retries.addAndGet(extra);
                }
                finally {
                    done = true;
                    finished.countDown();
                }
            }
        }

        void stop() {
            ExecutorService threads = this.threads;
            if (threads != null) {
                threads.shutdownNow();
            }
        }

        private void call() {
            calls.incrementAndGet();
            try {
                rest.get().uri(url).retrieve().toBodilessEntity();
                ok.incrementAndGet();
            }
            catch (RestClientResponseException e) {
                failed.incrementAndGet();
                failedStatus.incrementAndGet();
            }
            catch (RuntimeException e) {
                if (causedBy(e, PoolTimeoutException.class)) {
                    timedOut.incrementAndGet();
                    poolTimeouts.incrementAndGet();
                }
                else {
                    errors.incrementAndGet();
                    otherErrors.incrementAndGet();
                }
            }
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
