package io.poolclient.internal;

import io.poolclient.MountSettings;
import io.poolclient.Protocols;
import io.poolclient.Request;
import io.poolclient.RequestOptions;
import io.poolclient.Response;
import io.poolclient.TlsConfig;
import io.poolclient.internal.http.Connector;
import io.poolclient.internal.http.Exchange;
import io.poolclient.internal.http.H2Exchange;
import io.poolclient.internal.http.RequestMessage;
import io.poolclient.internal.http.RequestTarget;
import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.HostPool;
import io.poolclient.internal.pool.Lease;
import io.poolclient.internal.proxy.ProxyAuthorization;
import io.poolclient.internal.proxy.ProxyEnvironment;
import io.poolclient.internal.proxy.ProxyUrl;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * One try of a request: where it goes (the host pool's key with the proxy chosen for this try, the
 * timeouts and the connection spec, from the {@link ResolvedSettings} of the mount and the caller's
 * options) and running it, which leases a connection and performs one exchange on it. Immutable;
 * made per try by the calling thread.
 */
final class Attempt {

    private final Mount mount;
    private final ResolvedSettings resolved;
    private final Request request;
    private final HostKey key;
    private final Connector.Spec spec;

    private Attempt(Mount mount, ResolvedSettings resolved, Request request, HostKey key, Connector.Spec spec) {
        this.mount = mount;
        this.resolved = resolved;
        this.request = request;
        this.key = key;
        this.spec = spec;
    }

    static Attempt of(Mount mount, Request request, RequestOptions options, ProxyEnvironment environment) {
        ResolvedSettings r = ResolvedSettings.of(mount, options);
        MountSettings s = r.mount();
        URI uri = request.uri();
        TlsConfig tls = r.tls();
        ProxyUrl proxy = mount.proxy(environment).select(uri.getScheme(), uri.getHost(), port(uri));
        HostKey key = new HostKey(uri.getScheme(), uri.getHost(), port(uri), tls, proxy);
        Protocols protocols = r.protocols().forScheme(key.scheme());
        Connector.Spec spec = new Connector.Spec(mount.name(), key, r.connectTimeout(), r.readTimeout(), tls,
                options.addressFilter(), s.maxHeaderCount(), s.maxHeaderLine(),
                protocols.offersH2() ? protocols.alpn() : List.of(), protocols.h2c(), streamCap(s));
        return new Attempt(mount, r, request, key, spec);
    }

    HostKey key() {
        return key;
    }

    /** The mount's settings as they were when this try was planned. */
    MountSettings settings() {
        return resolved.mount();
    }

    /** Every setting of this try, resolved through all layers. */
    ResolvedSettings resolved() {
        return resolved;
    }

    /**
     * Leases a connection (a newly opened one if {@code newConnection}) and performs the exchange.
     * The message is made before the lease, so a caller's body failing to report its length fails
     * the call without holding a connection; from the lease on, {@link Exchange} ends the lease on
     * any failure.
     *
     * @throws io.poolclient.ConnectFailedException when no connection could be opened
     * @throws io.poolclient.internal.http.AttemptFailedException when the exchange failed
     */
    Response run(Connector connector, boolean newConnection) throws IOException {
        RequestMessage message = message();
        HostPool pool = mount.pools().pool(key);
        Lease lease = pool.acquire(settings().poolTimeout(), () -> connector.open(spec), newConnection);
        if (lease.connection().isMultiplexed()) {
            return H2Exchange.execute(mount.name(), lease, message, resolved.readTimeout());
        }
        return Exchange.execute(mount.name(), lease, message, resolved.readTimeout());
    }

    /**
     * The wire message: origin-form, except for a plain {@code http://} request through an HTTP proxy,
     * which goes in absolute-form with the proxy's {@code Proxy-Authorization} (never sent elsewhere).
     */
    private RequestMessage message() {
        ProxyUrl proxy = key.proxy();
        if (proxy != null && proxy.scheme().isHttp() && !key.isTls()) {
            return RequestMessage.of(request, RequestTarget.absolute(request.uri(), key), settings().decompress(),
                    ProxyAuthorization.basic(proxy).orElse(null));
        }
        return RequestMessage.of(request, RequestTarget.origin(request.uri(), key), settings().decompress());
    }

    /** {@code max-concurrent-streams}, its built-in default when unset. */
    static int streamCap(MountSettings s) {
        Integer cap = s.maxConcurrentStreams();
        return cap == null ? MountSettings.DEFAULT_MAX_CONCURRENT_STREAMS : cap;
    }

    static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : HostKey.defaultPort(uri.getScheme());
    }

    /** Method, host and path for messages: no user-info, no query (it may carry secrets). */
    static String describe(Request request, HostKey key) {
        String path = request.uri().getRawPath() == null || request.uri().getRawPath().isEmpty() ? "/" : request.uri().getRawPath();
        return request.method() + " " + key.scheme() + "://" + key.hostPort() + path;
    }

    @SafeVarargs
    static <T> T firstSet(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        throw new IllegalStateException("no value");
    }
}
