package io.poolclient.internal.http;

import io.poolclient.ConnectFailedException;
import io.poolclient.ProxyConnectException;
import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.PooledConnection;
import io.poolclient.internal.proxy.HttpConnectHandshake;
import io.poolclient.internal.proxy.ProxyErrors;
import io.poolclient.internal.proxy.ProxyScheme;
import io.poolclient.internal.proxy.ProxyUrl;
import io.poolclient.internal.proxy.Socks5Handshake;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens connections through the proxy of a host pool's key: TCP to the proxy (each of its addresses in
 * turn), TLS to the proxy for an {@code https://} proxy, then
 * <ul>
 *   <li>HTTP proxy, {@code http://} target: nothing more; requests go to the proxy in absolute-form;</li>
 *   <li>HTTP proxy, {@code https://} target: a {@code CONNECT host:port} tunnel;</li>
 *   <li>SOCKS5: the SOCKS5 handshake, the target name resolved here ({@code socks5}) or by the proxy
 *       ({@code socks5h});</li>
 * </ul>
 * and for an {@code https://} target the TLS handshake with the origin inside, with SNI and hostname
 * verification of the origin and the mount's TLS material. One connect-timeout budget covers all of it.
 *
 * <p>Reaching the proxy and the proxy's handshake fail with {@link ProxyConnectException} (a
 * {@link ConnectFailedException}) naming the proxy without credentials and the target; the origin's TLS
 * handshake fails as it does without a proxy. The proxy's TLS is checked against the mount's TLS material
 * when it has one, else against the JDK's default trust. The caller's address filter applies to the
 * addresses resolved here, the origin's for {@code socks5}; it does not apply to the proxy's own address,
 * and names the proxy resolves ({@code socks5h}, HTTP proxies) are beyond it. Immutable; any thread may
 * call it.
 */
final class ProxyConnector {

    private static final Logger log = LoggerFactory.getLogger(ProxyConnector.class);

    private final HostResolver resolver;

    ProxyConnector(HostResolver resolver) {
        this.resolver = resolver;
    }

    PooledConnection open(Connector.Spec spec) throws IOException {
        HostKey key = spec.key();
        ProxyUrl proxy = key.proxy();
        long budget = spec.connectTimeout().toNanos();
        long start = System.nanoTime();
        log.debug("Connecting to {} through proxy {} (mount '{}')", key.hostPort(), proxy, spec.mount());
        ChannelSocket plain = connect(spec, proxy, budget, start);
        try {
            Socket carrier = plain;
            if (proxy.scheme() == ProxyScheme.HTTPS) {
                carrier = proxyTls(spec, proxy, plain, remaining(spec, proxy, budget, start));
            }
            if (proxy.scheme().isHttp()) {
                if (key.isTls()) {
                    HttpConnectHandshake.open(carrier, proxy, key.host(), key.port(), remaining(spec, proxy, budget, start),
                            spec.mount());
                }
            }
            else {
                InetAddress resolved = proxy.scheme().resolvesAtProxy() && !HostResolver.isAddressLiteral(key.host())
                        ? null : resolveTarget(spec, budget, start);
                Socks5Handshake.connect(carrier, proxy, Socks5Handshake.target(proxy, key.host(), key.port(), resolved),
                        remaining(spec, proxy, budget, start), spec.mount());
            }
            return Connector.bind(spec, plain, carrier, remaining(spec, proxy, budget, start));
        }
        catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** TCP to the proxy: every address of its name in turn, within the budget. */
    private ChannelSocket connect(Connector.Spec spec, ProxyUrl proxy, long budget, long start) throws IOException {
        String target = spec.key().hostPort();
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(proxy.host(), budget);
        }
        catch (UnknownHostException e) {
            throw ProxyErrors.unreachable(proxy, target, spec.mount(),
                    new IOException("cannot resolve proxy host '" + proxy.host() + "'", e));
        }
        catch (TimeoutException e) {
            throw ProxyErrors.unreachable(proxy, target, spec.mount(), new IOException("resolving the proxy host timed out after "
                    + spec.connectTimeout().toMillis() + " ms (connect-timeout)", e));
        }
        IOException last = null;
        for (InetAddress address : addresses) {
            long left = budget - (System.nanoTime() - start);
            if (left <= 0) {
                break;
            }
            SocketChannel channel = SocketChannel.open();
            try {
                Socket socket = channel.socket();
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                socket.connect(new InetSocketAddress(address, proxy.port()),
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
                return new ChannelSocket(channel);
            }
            catch (IOException e) {
                channel.close();
                last = e;
            }
        }
        if (last == null || last instanceof SocketTimeoutException) {
            last = new SocketTimeoutException("connect timed out after " + (System.nanoTime() - start) / 1_000_000
                    + " ms (connect-timeout " + spec.connectTimeout().toMillis() + " ms)");
        }
        throw ProxyErrors.unreachable(proxy, target, spec.mount(), last);
    }

    /** TLS to an {@code https://} proxy, verifying the proxy's own name. */
    private static SSLSocket proxyTls(Connector.Spec spec, ProxyUrl proxy, Socket plain, Duration timeout)
            throws IOException {
        String target = spec.key().hostPort();
        SSLContext context;
        try {
            context = spec.tls() != null ? spec.tls().context() : SSLContext.getDefault();
        }
        catch (NoSuchAlgorithmException e) {
            throw ProxyErrors.unreachable(proxy, target, spec.mount(), e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, proxy.host(), proxy.port(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!HostResolver.isAddressLiteral(proxy.host())) {
            params.setServerNames(List.of(new SNIHostName(proxy.host())));
        }
        tls.setSSLParameters(params);
        tls.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        try {
            tls.startHandshake();
        }
        catch (IOException e) {
            throw ProxyErrors.unreachable(proxy, target, spec.mount(),
                    new IOException("TLS handshake with the proxy failed: " + e.getMessage(), e));
        }
        return tls;
    }

    /**
     * The target's address for {@code socks5} (resolved here, the first one the address filter allows),
     * failing as a direct connection's lookup does.
     */
    private InetAddress resolveTarget(Connector.Spec spec, long budget, long start) throws IOException {
        return Connector.allowedAddresses(resolver, spec, Math.max(1, budget - (System.nanoTime() - start)),
                "nothing was sent to the proxy").get(0);
    }

    /** What is left of the connect-timeout; a proxy failure when nothing is. */
    private static Duration remaining(Connector.Spec spec, ProxyUrl proxy, long budget, long start)
            throws ProxyConnectException {
        long left = budget - (System.nanoTime() - start);
        if (left <= 0) {
            throw ProxyErrors.failed(proxy, "connecting", spec.key().hostPort(), spec.mount(),
                    "connect-timeout of " + spec.connectTimeout().toMillis() + " ms used up", null);
        }
        return Duration.ofNanos(Math.max(left, 1_000_000));
    }
}
