package io.poolclient.bench;

import io.poolclient.testing.nginx.PrivateNginx;
import java.util.Locale;

/**
 * Runs one contender on one size for a while, for profiling (JFR, {@code jcmd}):
 * {@code Loop <contender> <small|json|big> <threads>[v] <seconds> [maxsize]} ({@code 64v}: 64 virtual threads). Prints req/s every second.
 * Bounded by time and by request count like every run here.
 */
public final class Loop {

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: Loop <contender> <small|json|big> <threads>[v] <seconds> [maxsize]   (64v = 64 virtual threads)");
            System.exit(2);
        }
        String id = args[0];
        boolean virtual = args[2].endsWith("v");
        int threads = Integer.parseInt(virtual ? args[2].substring(0, args[2].length() - 1) : args[2]);
        int seconds = Integer.parseInt(args[3]);
        int maxsize = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        Contenders.configureHttpUrlConnection(maxsize);
        try (PrivateNginx nginx = Nginx.start(); Contender c = Contenders.create(id, nginx, maxsize)) {
            Target target = Target.of(nginx, args[1]);
            System.out.println("nginx port " + nginx.port() + ", pid " + ProcessHandle.current().pid());
            long before = nginx.acceptsExcludingSelf();
            for (int i = 0; i < seconds; i++) {
                SideBySide.Run run = SideBySide.run(c, target, new SideBySide.Load(threads, virtual), 1000, 10_000_000);
                System.out.printf(Locale.ROOT, "%s %s %d threads: %.0f req/s cpu %.1f us/req p50 %s us p99 %s us errors %d%s%n", id, target.name(),
                        threads, run.requests() * 1e9 / run.nanos(), run.cpuNanos() / 1000.0 / Math.max(1, run.requests()), Report.micros(run.latency().quantile(0.5)),
                        Report.micros(run.latency().quantile(0.99)), run.errors(),
                        run.firstError() == null ? "" : " (" + run.firstError() + ")");
            }
            System.out.println("connections opened: " + (nginx.acceptsExcludingSelf() - before));
        }
        System.exit(0);
    }
}
