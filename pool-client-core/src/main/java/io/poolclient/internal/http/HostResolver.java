package io.poolclient.internal.http;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resolves host names within a time budget (what is left of {@code connect-timeout}). The JDK's
 * resolver has no timeout of its own, so a lookup runs on a daemon thread and the caller waits for
 * it at most the budget. Callers that ask for a name while a lookup of it is under way share that
 * lookup: a DNS server that stalls costs one thread per name, not one per request, and the lookup
 * that outlives a caller's budget still completes (and fills the JDK's cache) for later callers.
 * Address literals are parsed on the caller's thread.
 *
 * <p>Thread-safe; one instance serves every client of the JVM, as the JDK's address cache does.
 */
final class HostResolver {

    /** The lookup itself; {@link InetAddress#getAllByName} in production. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    static final HostResolver SYSTEM = new HostResolver(InetAddress::getAllByName);

    private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "pool-client-dns");
                t.setDaemon(true);
                return t;
            });

    private final Lookup lookup;
    private final ConcurrentHashMap<String, CompletableFuture<InetAddress[]>> underWay = new ConcurrentHashMap<>();

    HostResolver(Lookup lookup) {
        this.lookup = lookup;
    }

    /**
     * @throws UnknownHostException when the name does not resolve
     * @throws TimeoutException when the lookup took longer than {@code timeoutNanos}
     * @throws InterruptedIOException when the caller was interrupted (its interrupt status is kept)
     */
    InetAddress[] resolve(String host, long timeoutNanos) throws UnknownHostException, TimeoutException, InterruptedIOException {
        if (isAddressLiteral(host)) {
            return lookup.lookup(host);
        }
        CompletableFuture<InetAddress[]> mine = new CompletableFuture<>();
        CompletableFuture<InetAddress[]> shared = underWay.putIfAbsent(host, mine);
        if (shared == null) {
            shared = mine;
            THREADS.execute(() -> {
                InetAddress[] found = null;
                Throwable failure = null;
                try {
                    found = lookup.lookup(host);
                }
                catch (Throwable t) {
                    failure = t;
                }
                // gone from the map before anyone sees the outcome: a later caller starts a new lookup
                underWay.remove(host, mine);
                if (failure == null) {
                    mine.complete(found);
                }
                else {
                    mine.completeExceptionally(failure);
                }
            });
        }
        try {
            return shared.get(Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while resolving '" + host + "'");
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            UnknownHostException failed = new UnknownHostException(host + ": " + e.getCause());
            failed.initCause(e.getCause());
            throw failed;
        }
    }

    /** An IPv4 or IPv6 address written out, which needs no lookup. */
    static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }
}
