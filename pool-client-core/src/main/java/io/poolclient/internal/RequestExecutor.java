package io.poolclient.internal;

import io.poolclient.ConnectFailedException;
import io.poolclient.Header;
import io.poolclient.Request;
import io.poolclient.RequestOptions;
import io.poolclient.RequestRefusedException;
import io.poolclient.Response;
import io.poolclient.internal.http.AttemptFailedException;
import io.poolclient.internal.http.Connector;
import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.proxy.ProxyEnvironment;
import java.io.IOException;
import java.net.URI;

/**
 * Runs one request to its final response. Checks the request and picks its mount, then loops: an
 * {@link Attempt} leases a connection and performs one exchange; when it fails, {@link Recovery}
 * decides whether to try again or give up; when it yields a response, {@link FollowUp} decides
 * whether that response is final, the request is to be retried, or a redirect is to be followed
 * (through the mount its new URL resolves to). The progress of the call lives in a {@link Call}.
 * Holds only the mount table, the connector and the proxies found in the JVM and the environment;
 * any thread may call it.
 */
public final class RequestExecutor {

    private final MountTable mounts;
    private final Connector connector;
    private final ProxyEnvironment environment;

    public RequestExecutor(MountTable mounts, Connector connector) {
        this(mounts, connector, ProxyEnvironment.NONE);
    }

    /** @param environment the proxies a mount with {@code trust-env} and no {@code proxy} uses */
    public RequestExecutor(MountTable mounts, Connector connector, ProxyEnvironment environment) {
        this.mounts = mounts;
        this.connector = connector;
        this.environment = environment;
    }

    public Response execute(Request request, RequestOptions options) throws IOException {
        Mount mount = resolve(request);
        refuseBadHeaders(request, mount);
        Call call = new Call(request, mount, ResolvedSettings.retry(mount, options));
        while (true) {
            Attempt attempt = Attempt.of(call.mount(), call.request(), options, environment);
            Response response;
            try {
                response = attempt.run(connector, call.takeNewConnection());
            }
            catch (ConnectFailedException e) {
                Recovery.connectFailed(call, attempt, e);
                continue;
            }
            catch (AttemptFailedException e) {
                Recovery.exchangeFailed(call, attempt, e);
                continue;
            }
            FollowUp.Next next = FollowUp.next(call, attempt, response, options);
            if (next.action() == FollowUp.Action.DONE) {
                return response;
            }
            if (next.action() == FollowUp.Action.REDIRECT) {
                call.redirectTo(next.redirect(), resolve(next.redirect()));
            }
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
                URI uri = request.uri();
                String hostPort = new HostKey(uri.getScheme(), uri.getHost(), Attempt.port(uri), null).hostPort();
                throw new RequestRefusedException("Header '" + h.name().replace("\r", "\\r").replace("\n", "\\n")
                        + "' has an empty name or holds a CR or LF character: request to " + hostPort + " through mount '"
                        + mount.name() + "' refused before sending", mount.name(), hostPort, null);
            }
        }
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
    }

    private static String safe(URI uri) {
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        }
        catch (Exception e) {
            return "<unprintable URL>";
        }
    }
}
