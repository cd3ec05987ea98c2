package io.poolclient.internal;

import io.poolclient.Request;
import io.poolclient.internal.pool.HostKey;
import io.poolclient.retry.Retry;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far one call of the executor has got: the request now being sent (it changes with redirects)
 * and its mount, the retry budget left, whether the transparent stale-connection retry was used,
 * and the redirects followed. Made per call and used only by the calling thread.
 */
final class Call {

    private static final Logger log = LoggerFactory.getLogger("io.poolclient.retry");

    private final Request original;
    private Request request;
    private Mount mount;
    private Retry retry;
    private boolean staleRetried;
    private boolean newConnection;
    private int redirects;
    private int unprocessedRetries;

    Call(Request request, Mount mount) {
        this(request, mount, mount.retry());
    }

    /** @param retry the retry policy of the whole call (the mount's, or one set for this request) */
    Call(Request request, Mount mount, Retry retry) {
        this.original = request;
        this.request = request;
        this.mount = mount;
        this.retry = retry;
        mount.retryBudget().requestMade();
    }

    /** The request as the caller gave it. */
    Request original() {
        return original;
    }

    Request request() {
        return request;
    }

    Mount mount() {
        return mount;
    }

    /** The retry policy with what is left of its budget. */
    Retry retry() {
        return retry;
    }

    int redirects() {
        return redirects;
    }

    boolean staleRetried() {
        return staleRetried;
    }

    /** Whether the request's body (if any) can be sent again. */
    boolean canResend() {
        return request.body() == null || request.body().isReplayable();
    }

    /**
     * Whether the next attempt must go on a newly opened connection; true once after
     * {@link #retryOnNewConnection()}.
     */
    boolean takeNewConnection() {
        boolean need = newConnection;
        newConnection = false;
        return need;
    }

    /** The transparent retry after a reused connection turned out dead: once, on a new connection. */
    void retryOnNewConnection() {
        staleRetried = true;
        newConnection = true;
    }

    /** Logs the retry, waits {@code wait} and goes on with the budget {@code after}. */
    void pauseForRetry(Retry after, String reason, Duration wait, HostKey key) throws InterruptedIOException {
        log.info("Retrying {} through mount '{}' after {}; remaining retry budget: {}", Attempt.describe(request, key),
                mount.name(), reason, after.remaining());
        sleep(wait);
        retry = after;
    }

    /** How many times this call was sent again because the server had not processed it (HTTP/2 GOAWAY, refused stream). */
    int unprocessedRetries() {
        return unprocessedRetries;
    }

    /** One more retry of a request the server had not processed. */
    void retryUnprocessed() {
        unprocessedRetries++;
    }

    /** Goes on with a redirect's request through its own mount; the stale-connection retry is available again. */
    void redirectTo(Request next, Mount nextMount) {
        redirects++;
        request = next;
        mount = nextMount;
        staleRetried = false;
        nextMount.retryBudget().requestMade();
    }

    /**
     * Asks the mount's retry budget for one retry of {@code kind} after {@code attempt} failed, and
     * tells the pool listeners what was decided.
     *
     * @return whether the retry may be made
     */
    boolean budgetAllowsRetry(Attempt attempt, String kind) {
        boolean made = mount.retryBudget().tryRetry();
        mount.pools().retryDecided(attempt.key(), kind, made);
        if (!made) { // DEBUG: in a storm every call ends here, and its failure says so anyway
            log.debug("Not retrying {} through mount '{}': retry budget exhausted", Attempt.describe(request, attempt.key()),
                    mount.name());
        }
        return made;
    }

    /** Tells the pool listeners of a retry outside the budget (the transparent stale-connection retry). */
    void retryOutsideBudget(Attempt attempt, String kind) {
        mount.pools().retryDecided(attempt.key(), kind, true);
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted during retry backoff");
        }
    }
}
