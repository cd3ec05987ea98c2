package io.poolclient.internal;

import io.poolclient.Header;
import io.poolclient.MountSettings;
import io.poolclient.Redirects;
import io.poolclient.Request;
import io.poolclient.RequestBody;
import io.poolclient.RequestOptions;
import io.poolclient.Response;
import io.poolclient.RetriesExhaustedException;
import io.poolclient.TooManyRedirectsException;
import io.poolclient.retry.Retry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What to do with a response: hand it to the caller, send the request again (a status the retry
 * policy retries, after {@code Retry-After} or the backoff), or follow a redirect (with
 * credentials stripped when it leaves the origin, and 303, or 301/302 after POST, turned into a
 * body-less GET). A response not handed over is closed here. Stateless; runs on the calling thread.
 */
final class FollowUp {

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    /** What comes after a response. */
    enum Action {
        /** The response is the caller's. */
        DONE,
        /** Send the same request again. */
        RETRY,
        /** Send {@link Next#redirect()}. */
        REDIRECT
    }

    /** @param redirect the request to send next, for {@link Action#REDIRECT} only */
    record Next(Action action, Request redirect) {
        static final Next DONE = new Next(Action.DONE, null);
        static final Next RETRY = new Next(Action.RETRY, null);

        static Next redirectTo(Request request) {
            return new Next(Action.REDIRECT, request);
        }
    }

    private FollowUp() {
    }

    /**
     * Decides on a response; on a retry it has already waited, and any budget change is recorded in
     * {@code call}.
     *
     * @throws RetriesExhaustedException when a retried status used up the budget and the policy raises on it
     * @throws TooManyRedirectsException past the mount's {@code max-redirects}
     */
    static Next next(Call call, Attempt attempt, Response response, RequestOptions options) throws IOException {
        Request request = call.request();
        int status = response.status();
        // Retry-After counts for 413, 429 and 503 only; Location for redirects only: not looked up otherwise
        String retryAfter = status >= 400 ? response.header("Retry-After") : null;
        Retry retry = call.retry();
        if (retry.isRetry(request.method(), status, retryAfter != null) && call.canResend()) {
            Retry after = retry.increment(Retry.Kind.STATUS);
            if (after.isExhausted()) {
                if (retry.raiseOnStatus()) {
                    response.close();
                    String mount = call.mount().name();
                    throw new RetriesExhaustedException("Max retries exceeded (" + after.attempts() + " attempts) for "
                            + Attempt.describe(request, attempt.key()) + " through mount '" + mount + "': too many "
                            + status + " responses", mount, attempt.key().hostPort(), after.attempts(), null);
                }
                return Next.DONE;
            }
            if (!call.budgetAllowsRetry(attempt, "status")) {
                if (retry.raiseOnStatus()) {
                    response.close();
                    String mount = call.mount().name();
                    throw new RetriesExhaustedException("Max retries exceeded (retry budget exhausted after "
                            + after.attempts() + " attempts) for " + Attempt.describe(request, attempt.key())
                            + " through mount '" + mount + "': too many " + status + " responses", mount,
                            attempt.key().hostPort(), after.attempts(), null);
                }
                return Next.DONE;
            }
            response.close();
            Duration wait = after.retryAfter(status, retryAfter);
            call.pauseForRetry(after, "status " + status, wait != null ? wait : after.backoff(), attempt.key());
            return Next.RETRY;
        }

        MountSettings s = attempt.settings();
        Redirects follow = attempt.resolved().redirects();
        String location = status >= 300 && status < 400 ? response.header("Location") : null;
        if (follow == Redirects.FOLLOW && location != null && REDIRECTS.contains(status)) {
            Request redirected = redirect(request, status, location);
            if (redirected != null) {
                response.close();
                if (call.redirects() >= s.maxRedirects()) {
                    String mount = call.mount().name();
                    throw new TooManyRedirectsException("Exceeded " + s.maxRedirects() + " redirects (max-redirects) for "
                            + Attempt.describe(call.original(), attempt.key()) + " through mount '" + mount + "'", mount,
                            attempt.key().hostPort());
                }
                return Next.redirectTo(redirected);
            }
        }
        return Next.DONE;
    }

    /** The request to send for a redirect, or {@code null} when it cannot or should not be followed. */
    private static Request redirect(Request current, int status, String location) {
        URI target;
        try {
            target = current.uri().resolve(location.trim());
        }
        catch (IllegalArgumentException bad) {
            return null;
        }
        String scheme = target.getScheme();
        if (target.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            return null;
        }
        String method = current.method();
        RequestBody body = current.body();
        boolean toGet = (status == 303 && !"HEAD".equals(method)) || ((status == 301 || status == 302) && "POST".equals(method));
        if (toGet) {
            method = "GET";
            body = null;
        }
        if (body != null && !body.isReplayable()) {
            return null;
        }
        boolean sameOrigin = current.uri().getScheme().equalsIgnoreCase(scheme)
                && current.uri().getHost().equalsIgnoreCase(target.getHost())
                && Attempt.port(current.uri()) == Attempt.port(target);
        List<Header> headers = new ArrayList<>();
        for (Header h : current.headers()) {
            String n = h.name();
            if (!sameOrigin && (n.equalsIgnoreCase("Authorization") || n.equalsIgnoreCase("Cookie")
                    || n.equalsIgnoreCase("Proxy-Authorization") || n.equalsIgnoreCase("Host"))) {
                continue;
            }
            if (toGet && (n.equalsIgnoreCase("Content-Type") || n.equalsIgnoreCase("Content-Encoding"))) {
                continue;
            }
            headers.add(h);
        }
        return new Request(method, target, headers, body);
    }
}
