package io.poolclient.internal;

import io.poolclient.ConnectFailedException;
import io.poolclient.Header;
import io.poolclient.MountSettings;
import io.poolclient.PoolClientException;
import io.poolclient.Redirects;
import io.poolclient.Request;
import io.poolclient.RequestBody;
import io.poolclient.RequestOptions;
import io.poolclient.RequestRefusedException;
import io.poolclient.Response;
import io.poolclient.RetriesExhaustedException;
import io.poolclient.TlsConfig;
import io.poolclient.TooManyRedirectsException;
import io.poolclient.internal.http.AttemptFailedException;
import io.poolclient.internal.http.Connector;
import io.poolclient.internal.http.Exchange;
import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.HostPool;
import io.poolclient.internal.pool.Lease;
import io.poolclient.internal.pool.PooledConnection;
import io.poolclient.retry.Retry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request to its final response: picks the mount, leases a connection, performs the
 * exchange, and applies the transparent stale-connection retry, the mount's retry policy and
 * redirects. Stateless apart from the client it serves; any thread may call it.
 */
public final class RequestExecutor {

    private static final Logger log = LoggerFactory.getLogger("io.poolclient.retry");

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final MountTable mounts;
    private final Connector connector;

    public RequestExecutor(MountTable mounts, Connector connector) {
        this.mounts = mounts;
        this.connector = connector;
    }

    public Response execute(Request request, RequestOptions options) throws IOException {
        Request current = request;
        Mount mount = resolve(current);
        refuseBadHeaders(current, mount);
        Retry retry = mount.retry();
        boolean staleRetried = false;
        boolean fresh = false; // the attempt after a dead reused connection goes on a new connection
        int redirects = 0;
        while (true) {
            MountSettings s = mount.settings();
            URI uri = current.uri();
            TlsConfig tls = s.tls() != null ? s.tls() : options.tls();
            HostKey key = new HostKey(uri.getScheme(), uri.getHost(), port(uri), tls);
            Duration connectTimeout = or(s.connectTimeout(), options.connectTimeout(), MountSettings.DEFAULT_CONNECT_TIMEOUT);
            Duration readTimeout = or(s.readTimeout(), options.readTimeout(), MountSettings.DEFAULT_READ_TIMEOUT);
            Connector.Spec spec = new Connector.Spec(mount.name(), key, connectTimeout, readTimeout, tls,
                    options.addressFilter(), s.maxHeaderCount(), s.maxHeaderLine());
            HostPool pool = mount.pools().pool(key);
            boolean reused = false;
            Response response;
            try {
                boolean needNew = fresh;
                fresh = false;
                Lease lease = pool.acquire(s.poolTimeout(), () -> connector.open(spec), needNew);
                reused = lease.connection().isReused();
                response = Exchange.execute(mount.name(), lease, current, target(uri),
                        hostHeader(key), readTimeout, s.decompress());
            }
            catch (ConnectFailedException e) {
                retry = next(retry, Retry.Kind.CONNECT, e, current, mount, key);
                continue;
            }
            catch (AttemptFailedException e) {
                boolean resendable = canResend(current) || !e.bodyStarted();
                if (e.noResponse() && reused && !staleRetried && resendable && IDEMPOTENT.contains(current.method())) {
                    staleRetried = true;
                    fresh = true;
                    log.debug("Reused connection to {} (mount '{}') was closed by the server before a response; "
                            + "retrying once on a new connection", key.hostPort(), mount.name());
                    continue;
                }
                if (!retry.isMethodRetryable(current.method()) || !resendable) {
                    throw e.failure();
                }
                retry = next(retry, Retry.Kind.READ, e.failure(), current, mount, key);
                continue;
            }

            int status = response.status();
            String retryAfter = response.header("Retry-After");
            if (retry.isRetry(current.method(), status, retryAfter != null) && canResend(current)) {
                Retry after = retry.increment(Retry.Kind.STATUS);
                if (after.isExhausted()) {
                    if (retry.raiseOnStatus()) {
                        response.close();
                        throw new RetriesExhaustedException("Max retries exceeded (" + after.attempts() + " attempts) for "
                                + describe(current, key) + " through mount '" + mount.name() + "': too many " + status
                                + " responses", mount.name(), key.hostPort(), after.attempts(), null);
                    }
                    return response;
                }
                response.close();
                logRetry(current, mount, key, "status " + status, after);
                Duration wait = after.retryAfter(status, retryAfter);
                sleep(wait != null ? wait : after.backoff());
                retry = after;
                continue;
            }

            Redirects follow = or(s.redirects(), options.redirects(), Redirects.FOLLOW);
            String location = response.header("Location");
            if (follow == Redirects.FOLLOW && REDIRECTS.contains(status) && location != null) {
                Request redirected = redirect(current, status, location);
                if (redirected != null) {
                    if (redirects >= s.maxRedirects()) {
                        response.close();
                        throw new TooManyRedirectsException("Exceeded " + s.maxRedirects() + " redirects (max-redirects) for "
                                + describe(request, key) + " through mount '" + mount.name() + "'", mount.name(), key.hostPort());
                    }
                    response.close();
                    redirects++;
                    current = redirected;
                    mount = resolve(current);
                    staleRetried = false;
                    continue;
                }
            }
            return response;
        }
    }

    private Mount resolve(Request request) throws RequestRefusedException {
        URI uri = request.uri();
        String scheme = uri.getScheme();
        if (scheme == null || uri.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new RequestRefusedException("Only absolute http:// and https:// URLs can be requested, got '"
                    + safe(uri) + "'", null, uri.getHost(), null);
        }
        return mounts.resolve(uri);
    }

    private static void refuseBadHeaders(Request request, Mount mount) throws RequestRefusedException {
        for (Header h : request.headers()) {
            if (h.name().isEmpty() || hasLineBreak(h.name()) || hasLineBreak(h.value())) {
                String hostPort = new HostKey(request.uri().getScheme(), request.uri().getHost(), port(request.uri()), null).hostPort();
                throw new RequestRefusedException("Header '" + h.name().replace("\r", "\\r").replace("\n", "\\n")
                        + "' has an empty name or holds a CR or LF character: request to " + hostPort + " through mount '"
                        + mount.name() + "' refused before sending", mount.name(), hostPort, null);
            }
        }
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
    }

    /** The policy after one more failure, having logged and slept; throws when it is exhausted. */
    private Retry next(Retry retry, Retry.Kind kind, PoolClientException failure, Request request, Mount mount, HostKey key)
            throws IOException {
        Retry after = retry.increment(kind);
        if (after.isExhausted()) {
            if (after.attempts() == 1) {
                throw failure; // no retry was allowed at all: report the failure itself
            }
            throw new RetriesExhaustedException("Max retries exceeded (" + after.attempts() + " attempts) for "
                    + describe(request, key) + " through mount '" + mount.name() + "': " + failure.getMessage(),
                    mount.name(), key.hostPort(), after.attempts(), failure);
        }
        logRetry(request, mount, key, failure.getMessage(), after);
        sleep(after.backoff());
        return after;
    }

    private static void logRetry(Request request, Mount mount, HostKey key, String reason, Retry remaining) {
        log.info("Retrying {} through mount '{}' after {}; remaining retry budget: {}", describe(request, key),
                mount.name(), reason, remaining.remaining());
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
                && current.uri().getHost().equalsIgnoreCase(target.getHost()) && port(current.uri()) == port(target);
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

    private static boolean canResend(Request request) {
        return request.body() == null || request.body().isReplayable();
    }

    static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : HostKey.defaultPort(uri.getScheme());
    }

    private static String target(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static String hostHeader(HostKey key) {
        return key.isDefaultPort() ? key.uriHost() : key.hostPort();
    }

    /** Method, host and path for messages: no user-info, no query (it may carry secrets). */
    private static String describe(Request request, HostKey key) {
        String path = request.uri().getRawPath() == null || request.uri().getRawPath().isEmpty() ? "/" : request.uri().getRawPath();
        return request.method() + " " + key.scheme() + "://" + key.hostPort() + path;
    }

    private static String safe(URI uri) {
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        }
        catch (Exception e) {
            return "<unprintable URL>";
        }
    }

    @SafeVarargs
    private static <T> T or(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        throw new IllegalStateException("no value");
    }
}
