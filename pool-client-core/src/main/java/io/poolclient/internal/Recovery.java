package io.poolclient.internal;

import io.poolclient.ConnectFailedException;
import io.poolclient.PoolClientException;
import io.poolclient.ProxyConnectException;
import io.poolclient.Request;
import io.poolclient.RetriesExhaustedException;
import io.poolclient.internal.http.AttemptFailedException;
import io.poolclient.retry.Retry;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do after a try failed without a response: retry it, or give up by throwing the failure
 * the caller sees. In order: a request the server did not process (an HTTP/2 stream above the
 * last-stream-id of a {@code GOAWAY}, or refused) goes again whatever its method, at once and
 * without spending the retry budget, at most {@link #MAX_UNPROCESSED_RETRIES} times per call; an
 * idempotent request whose reused connection broke before any
 * response byte goes once more, at once and on a new connection, without spending the retry budget
 * (the server closed an idle keep-alive connection as we reused it); a connect failure, or a
 * failure of a method the policy retries whose body can be sent again, spends one connect or read
 * retry and waits the policy's backoff, if the mount's retry budget allows it (else it gives up as if
 * the policy had run out, saying {@code retry budget exhausted}); anything else gives up. Stateless; runs on the calling
 * thread.
 */
final class Recovery {

    private static final Logger log = LoggerFactory.getLogger("io.poolclient.retry");

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

    /** Retries per call of requests the server did not process: a server that refuses every stream cannot loop us. */
    static final int MAX_UNPROCESSED_RETRIES = 20;

    private Recovery() {
    }

    /**
     * After no connection could be opened: retry when the budget allows, else throw. A proxy that
     * answered with a refusal (a tunnel refused, {@code 407}, a SOCKS5 reply) would answer the same
     * again: that is thrown at once.
     */
    static void connectFailed(Call call, Attempt attempt, ConnectFailedException e) throws IOException {
        if (e instanceof ProxyConnectException p && p.proxyStatus() != null) {
            throw e;
        }
        spend(call, attempt, Retry.Kind.CONNECT, e);
    }

    /** After the exchange on a leased connection failed (the connection is closed already): retry or throw. */
    static void exchangeFailed(Call call, Attempt attempt, AttemptFailedException e) throws IOException {
        Request request = call.request();
        boolean resendable = call.canResend() || !e.bodyStarted();
        if (e.unprocessed() && resendable && call.unprocessedRetries() < MAX_UNPROCESSED_RETRIES) {
            call.retryUnprocessed();
            call.retryOutsideBudget(attempt, "goaway");
            log.debug("{} was not processed by {} (mount '{}'; HTTP/2 GOAWAY or refused stream); sending it again",
                    Attempt.describe(request, attempt.key()), attempt.key().hostPort(), call.mount().name());
            return;
        }
        if (e.noResponse() && e.reusedConnection() && !call.staleRetried() && resendable
                && IDEMPOTENT.contains(request.method())) {
            call.retryOnNewConnection();
            call.retryOutsideBudget(attempt, "stale");
            log.debug("Reused connection to {} (mount '{}') was closed by the server before a response; "
                    + "retrying once on a new connection", attempt.key().hostPort(), call.mount().name());
            return;
        }
        if (!call.retry().isMethodRetryable(request.method()) || !resendable) {
            throw e.failure();
        }
        spend(call, attempt, Retry.Kind.READ, e.failure());
    }

    /** Spends one retry of {@code kind}, logging and waiting the backoff; throws when the budget is exhausted. */
    private static void spend(Call call, Attempt attempt, Retry.Kind kind, PoolClientException failure) throws IOException {
        Retry after = call.retry().increment(kind);
        if (after.isExhausted()) {
            if (after.attempts() == 1) {
                throw failure; // no retry was allowed at all: report the failure itself
            }
            String mount = call.mount().name();
            throw new RetriesExhaustedException("Max retries exceeded (" + after.attempts() + " attempts) for "
                    + Attempt.describe(call.request(), attempt.key()) + " through mount '" + mount + "': "
                    + failure.getMessage(), mount, attempt.key().hostPort(), after.attempts(), failure);
        }
        if (!call.budgetAllowsRetry(attempt, kind.name().toLowerCase(Locale.ROOT))) {
            String mount = call.mount().name();
            throw new RetriesExhaustedException("Max retries exceeded (retry budget exhausted after " + after.attempts()
                    + " attempts) for " + Attempt.describe(call.request(), attempt.key()) + " through mount '" + mount
                    + "': " + failure.getMessage(), mount, attempt.key().hostPort(), after.attempts(), failure);
        }
        call.pauseForRetry(after, failure.getMessage(), after.backoff(), attempt.key());
    }
}
