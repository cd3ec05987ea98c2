package io.poolclient.bench;

import io.poolclient.testing.nginx.PrivateNginx;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * What one GET costs the thread that makes it, one thread on a warm keep-alive connection:
 * {@code ThreadCost <contender> <small|json|big> [requests per round] [rounds]}. Prints the calling
 * thread's CPU time per request (minimum and median over the rounds) and the bytes it allocated per
 * request (median).
 *
 * <p>Meant for comparing two builds of the engine on a busy machine: the allocation figure is exact
 * and does not depend on load, and the calling thread's CPU time leaves out the JIT and GC threads
 * that make the whole-process figure of {@link SideBySide} move with the load. The cost of the
 * client's own I/O threads (jetty, reactor, jdk) is not seen here, so compare clients that do their
 * I/O on the calling thread (pool-client, hc5, simple) or builds of one client.
 *
 * <p>Warm-up: 30,000 requests or 60 s, whichever ends first; every round is bounded by its request
 * count and the whole measurement by 120 s.
 */
public final class ThreadCost {

    private static final long WARM_UP_NANOS = 60_000_000_000L;
    private static final long MEASURE_NANOS = 120_000_000_000L;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ThreadCost <contender> <small|json|big> [requests per round] [rounds]");
            System.exit(2);
        }
        String id = args[0];
        int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        Contenders.configureHttpUrlConnection(1);
        try (PrivateNginx nginx = Nginx.start(); Contender c = Contenders.create(id, nginx, 1)) {
            Target target = Target.of(nginx, args[1]);
            long warmUpEnd = System.nanoTime() + WARM_UP_NANOS;
            for (int i = 0; i < 30_000 && System.nanoTime() - warmUpEnd < 0; i++) {
                c.get(target);
            }
            double[] cpu = new double[rounds];
            double[] allocated = new double[rounds];
            long measureEnd = System.nanoTime() + MEASURE_NANOS;
            int done = 0;
            for (; done < rounds && System.nanoTime() - measureEnd < 0; done++) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                long bytes0 = threads.getThreadAllocatedBytes(self);
                for (int i = 0; i < perRound; i++) {
                    c.get(target);
                }
                cpu[done] = (threads.getCurrentThreadCpuTime() - cpu0) / 1000.0 / perRound;
                allocated[done] = (double) (threads.getThreadAllocatedBytes(self) - bytes0) / perRound;
            }
            cpu = Arrays.copyOf(cpu, done);
            allocated = Arrays.copyOf(allocated, done);
            Arrays.sort(cpu);
            Arrays.sort(allocated);
            System.out.printf(Locale.ROOT, "%s %s: calling thread CPU min %.2f median %.2f us/req, allocated %.0f B/req (%d rounds of %d)%n",
                    id, target.name(), cpu[0], cpu[done / 2], allocated[done / 2], done, perRound);
        }
        System.exit(0);
    }
}
