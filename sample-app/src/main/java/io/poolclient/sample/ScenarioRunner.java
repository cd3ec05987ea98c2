package io.poolclient.sample;

import io.poolclient.ClientSnapshot;
import io.poolclient.MountSnapshot;
import io.poolclient.PoolClient;
import io.poolclient.PoolSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Runs the requests/urllib3 scenarios once the server is up, through the auto-configured (pooled)
 * {@link RestClient}, and prints one report per scenario taken from the engine's own snapshot and
 * the upstream's connection count. The reports stay available from {@link #reports()}.
 */
@Component
class ScenarioRunner {

    private final RestClient rest;
    private final PoolClient pools;
    private final ConnectionLedger ledger;
    private final UpstreamPorts upstreamPorts;
    private final Environment environment;
    private final ApplicationContext context;
    private final List<ScenarioReport> reports = new ArrayList<>();
    private int port;

    ScenarioRunner(RestClient.Builder builder, PoolClient pools, ConnectionLedger ledger, UpstreamPorts upstreamPorts,
            Environment environment, ApplicationContext context) {
        this.rest = builder.build();
        this.pools = pools;
        this.ledger = ledger;
        this.upstreamPorts = upstreamPorts;
        this.environment = environment;
        this.context = context;
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() throws Exception {
        if (!environment.getProperty("sample.run-scenarios", Boolean.class, true)) {
            return;
        }
        port = environment.getRequiredProperty("local.server.port", Integer.class);
        reports.add(sequentialReuse());
        reports.add(lruEviction());
        reports.add(overflow());
        reports.add(blocking());
        reports.add(retries());
        StringBuilder out = new StringBuilder("\n== pool-client sample: what the pools did ==\n");
        for (int i = 0; i < reports.size(); i++) {
            out.append(reports.get(i).format(i + 1)).append('\n');
        }
        out.append("Look at them live: curl http://localhost:").append(port).append("/actuator/httppools")
                .append("  or open http://localhost:").append(port).append("/\n");
        System.out.println(out);
        if (environment.getProperty("sample.exit-after-report", Boolean.class, false)) {
            System.exit(SpringApplication.exit(context, () -> 0));
        }
    }

    /** The reports of the last run, in order. */
    List<ScenarioReport> reports() {
        return List.copyOf(reports);
    }

    /** Five GETs one after another to one host: one connection, reused four times. */
    private ScenarioReport sequentialReuse() {
        String scenario = "reuse";
        Counts before = counts("http", "127.0.0.1");
        for (int i = 0; i < 5; i++) {
            get(scenario, "http://127.0.0.1:" + port + "/upstream/hello");
        }
        return report("Sequential reuse: keep-alive hands the same connection back", "http", 5, scenario, before,
                counts("http", "127.0.0.1"), 0);
    }

    /**
     * Three hosts, pool-connections 2: the least recently used host pool is evicted. The hosts are
     * 127.0.0.1 on the upstream's three extra ports (a host pool is per host and port).
     */
    private ScenarioReport lruEviction() {
        String scenario = "lru";
        Counts before = counts("http", null);
        String a = "127.0.0.1:" + upstreamPorts.port(0);
        String b = "127.0.0.1:" + upstreamPorts.port(1);
        String c = "127.0.0.1:" + upstreamPorts.port(2);
        String[] hosts = {a, b, a, c, b};
        for (String host : hosts) {
            get(scenario, "http://" + host + "/upstream/hello");
        }
        Counts after = counts("http", null);
        int seen = ledger.connections(scenario);
        // evicted pools take their counters with them: the upstream's count is the true one
        return new ScenarioReport("LRU of host pools: pool-connections 2, hosts A B A C B (127.0.0.1 on three more ports)",
                "http", hosts.length, seen, seen, hosts.length - seen, after.discarded - before.discarded,
                after.evicted - before.evicted, hosts.length, 0);
    }

    /** Four callers at once on a pool of maxsize 2 without blocking: 4 opened, 2 discarded on return. */
    private ScenarioReport overflow() throws Exception {
        String scenario = "overflow";
        Counts before = counts("small", null);
        String group = "overflow-" + UUID.randomUUID();
        concurrently(4, i -> get(scenario, "http://localhost:" + port + "/upstream/gather?n=4&group=" + group));
        return report("Overflow: 4 concurrent callers, pool-maxsize 2, pool-block false", "small", 4, scenario, before,
                counts("small", null), 0);
    }

    /** Six callers at once on a blocking pool of maxsize 2: never more than 2 connections, the rest wait. */
    private ScenarioReport blocking() throws Exception {
        String scenario = "blocking";
        Counts before = counts("blocking", null);
        AtomicInteger maxPending = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (running.get() && System.nanoTime() < deadline) {
                maxPending.accumulateAndGet(counts("blocking", null).pending, Math::max);
                Thread.onSpinWait();
            }
        }, "pending-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            concurrently(6, i -> get(scenario, "http://127.0.0.1:" + port + "/upstream/slow?ms=300"));
        }
        finally {
            running.set(false);
            sampler.join(5000);
        }
        return report("Blocking: 6 concurrent callers, pool-maxsize 2, pool-block true", "blocking", 6, scenario, before,
                counts("blocking", null), maxPending.get());
    }

    /** One GET to an endpoint that answers 503 twice: retried by the mount's policy, the caller sees 200. */
    private ScenarioReport retries() {
        String scenario = "retries";
        Counts before = counts("retrying", null);
        get(scenario, "http://127.0.0.1:" + port + "/upstream/flaky?failures=2&id=" + UUID.randomUUID());
        return report("Retries: status-forcelist [503], total 3; the endpoint fails twice (Tomcat closes after a 503)", "retrying", 1, scenario,
                before, counts("retrying", null), 0);
    }

    private void get(String scenario, String url) {
        rest.get().uri(url).header(ConnectionLedger.HEADER, scenario).retrieve().body(String.class);
    }

    private interface Call {
        void run(int i) throws Exception;
    }

    private static void concurrently(int n, Call call) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(threads.submit(() -> {
                    call.run(index);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    private ScenarioReport report(String title, String mount, int requests, String scenario, Counts before, Counts after,
            int maxPending) {
        return new ScenarioReport(title, mount, requests, ledger.connections(scenario), after.opened - before.opened,
                after.reused - before.reused, after.discarded - before.discarded, after.evicted - before.evicted,
                after.requests - before.requests, maxPending);
    }

    /** Sums over a mount's pools (of one host, when {@code host} is set). */
    private Counts counts(String mount, String host) {
        ClientSnapshot snapshot = pools.snapshot();
        MountSnapshot m = snapshot.mount(mount).orElseThrow(() -> new IllegalStateException("no mount " + mount));
        Counts c = new Counts();
        c.evicted = m.poolsEvicted();
        for (PoolSnapshot p : m.pools()) {
            if (host == null || host.equals(p.host())) {
                c.opened += p.opened();
                c.reused += p.reused();
                c.discarded += p.discarded();
                c.requests += p.requests();
                c.pending += p.pending();
            }
        }
        return c;
    }

    private static final class Counts {
        long opened;
        long reused;
        long discarded;
        long requests;
        long evicted;
        int pending;
    }
}
