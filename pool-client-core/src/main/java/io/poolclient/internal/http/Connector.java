package io.poolclient.internal.http;

import io.poolclient.AddressRefusedException;
import io.poolclient.ConnectFailedException;
import io.poolclient.TlsConfig;
import io.poolclient.internal.h2.H2Connection;
import io.poolclient.internal.h2.H2Settings;
import io.poolclient.internal.pool.HostKey;
import io.poolclient.internal.pool.PooledConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.io.HttpMessageParserFactory;
import org.apache.hc.core5.util.Timeout;

/**
 * Opens connections: resolves the host, drops addresses the filter refuses, connects to each
 * remaining address in turn, and for HTTPS performs the TLS handshake with SNI and hostname
 * verification on, offering the spec's ALPN protocols. The result speaks HTTP/2 ({@link H2Transport},
 * one daemon reader thread) when the server picked {@code h2} in ALPN, or for {@code h2c} with prior
 * knowledge (never for a plain request sent to an HTTP proxy in absolute-form); else HTTP/1.1
 * ({@link HttpTransport}). The lookup and the connects share one connect-timeout budget. Connections
 * through a proxy are opened by {@link ProxyConnector}. Immutable; any thread may call it.
 */
public final class Connector {

    private final HostResolver resolver;
    private final ProxyConnector proxies;

    public Connector() {
        this(HostResolver.SYSTEM);
    }

    Connector(HostResolver resolver) {
        this.resolver = resolver;
        this.proxies = new ProxyConnector(resolver);
    }

    /**
     * What one connection attempt needs.
     *
     * @param alpn the protocols offered in the TLS handshake (ALPN ids, in order of preference); empty:
     *     no ALPN, HTTP/1.1
     * @param h2c whether a plain {@code http://} connection speaks HTTP/2 with prior knowledge
     * @param maxConcurrentStreams our cap on streams per HTTP/2 connection
     */
    public record Spec(String mount, HostKey key, Duration connectTimeout, Duration readTimeout,
            TlsConfig tls, Predicate<InetAddress> addressFilter, int maxHeaderCount, int maxHeaderLine,
            List<String> alpn, boolean h2c, int maxConcurrentStreams) {

        /** A spec for HTTP/1.1 only. */
        public Spec(String mount, HostKey key, Duration connectTimeout, Duration readTimeout, TlsConfig tls,
                Predicate<InetAddress> addressFilter, int maxHeaderCount, int maxHeaderLine) {
            this(mount, key, connectTimeout, readTimeout, tls, addressFilter, maxHeaderCount, maxHeaderLine, List.of(),
                    false, io.poolclient.MountSettings.DEFAULT_MAX_CONCURRENT_STREAMS);
        }

        public Spec {
            alpn = List.copyOf(alpn);
        }

        /** Whether the TLS handshake offers {@code h2}. */
        boolean offersH2() {
            return alpn.contains(H2) && key.isTls();
        }

        /** Whether this connection speaks HTTP/2 without negotiating: {@code h2c}, and not sent to an HTTP proxy in absolute-form. */
        boolean priorKnowledge() {
            return h2c && !key.isTls() && (key.proxy() == null || !key.proxy().scheme().isHttp());
        }
    }

    private static final String H2 = "h2";
    private static final AtomicInteger READERS = new AtomicInteger();

    public PooledConnection open(Spec spec) throws IOException {
        HostKey key = spec.key();
        if (key.proxy() != null) {
            return proxies.open(spec);
        }
        long budget = spec.connectTimeout().toNanos();
        long start = System.nanoTime();
        List<InetAddress> addresses = allowedAddresses(resolver, spec, budget, "nothing was connected");
        IOException last = null;
        for (InetAddress address : addresses) {
            long remainingMs = Math.max(1, (budget - (System.nanoTime() - start)) / 1_000_000);
            if (System.nanoTime() - start >= budget) {
                break;
            }
            SocketChannel channel = SocketChannel.open();
            try {
                Socket plain = channel.socket();
                plain.setTcpNoDelay(true);
                plain.setKeepAlive(true);
                plain.connect(new InetSocketAddress(address, key.port()), (int) Math.min(Integer.MAX_VALUE, remainingMs));
                ChannelSocket socket = new ChannelSocket(channel);
                return bind(spec, socket, socket, spec.connectTimeout());
            }
            catch (IOException e) {
                closeQuietly(channel);
                if (e instanceof ConnectFailedException) {
                    throw e;
                }
                last = e;
            }
        }
        throw connectFailure(spec, last, System.nanoTime() - start);
    }

    /**
     * The target's addresses that the spec's address filter allows, in the resolver's order; a lookup
     * failure or timeout, or every address refused, fails as a {@link ConnectFailedException} or
     * {@link AddressRefusedException} naming the mount ({@code nothingDone} ends the refusal's message).
     */
    static List<InetAddress> allowedAddresses(HostResolver resolver, Spec spec, long budgetNanos, String nothingDone)
            throws IOException {
        HostKey key = spec.key();
        InetAddress[] all;
        try {
            all = resolver.resolve(key.host(), budgetNanos);
        }
        catch (UnknownHostException e) {
            throw new ConnectFailedException("Failed to resolve '" + key.host() + "' for " + key.hostPort()
                    + " through mount '" + spec.mount() + "': " + e.getMessage(), spec.mount(), key.hostPort(), e);
        }
        catch (TimeoutException e) {
            throw new ConnectFailedException("Resolving '" + key.host() + "' for " + key.hostPort() + " timed out after "
                    + spec.connectTimeout().toMillis() + " ms (connect-timeout) through mount '" + spec.mount() + "'",
                    spec.mount(), key.hostPort(), e);
        }
        if (spec.addressFilter() == null) {
            return List.of(all);
        }
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : all) {
            if (spec.addressFilter().test(a)) {
                allowed.add(a);
            }
        }
        if (allowed.isEmpty()) {
            throw new AddressRefusedException("Every address of " + key.hostPort() + " was refused by the address filter"
                    + " (mount '" + spec.mount() + "'); " + nothingDone, spec.mount(), key.hostPort(), null);
        }
        return allowed;
    }

    /**
     * Makes the pooled connection over a connected socket: for HTTPS after the TLS handshake with the
     * origin over {@code carrier}.
     *
     * @param plain the TCP connection (to the origin or to a proxy)
     * @param carrier what the origin's bytes travel on: {@code plain}, TLS to an {@code https://} proxy,
     *     or either of them after a tunnel was opened through the proxy
     * @param handshakeTimeout what is left of the connect-timeout for the TLS handshake
     */
    static PooledConnection bind(Spec spec, ChannelSocket plain, Socket carrier, Duration handshakeTimeout)
            throws IOException {
        if (spec.priorKnowledge()) {
            return http2(spec, plain, carrier);
        }
        // httpcore5 fails when the count of header lines, or a line's length counting its CR, reaches
        // its limit; ours are inclusive: max-header-count lines, and lines of max-header-line bytes
        // before CRLF, are accepted
        Http1Config config = Http1Config.custom()
                .setMaxHeaderCount(spec.maxHeaderCount() + 1)
                .setMaxLineLength(spec.maxHeaderLine() + 2)
                .setBufferSize(8192)
                .build();
        // the connection builds its response parser with the factory's no-argument create(), which
        // ignores the connection's Http1Config: hand it a parser made with ours, or max-header-count is lost
        HttpMessageParserFactory<ClassicHttpResponse> parsers = ignored -> new DefaultHttpResponseParser(config);
        DefaultBHttpClientConnection conn = new DefaultBHttpClientConnection(config, null, null, null, null, null, parsers);
        Socket socket = carrier;
        try {
            if (spec.key().isTls()) {
                SSLSocket tls = handshake(spec, carrier, handshakeTimeout);
                if (spec.offersH2() && H2.equals(tls.getApplicationProtocol())) {
                    return http2(spec, plain, tls);
                }
                conn.bind(tls, plain);
                socket = tls;
            }
            else if (carrier instanceof SSLSocket proxyTls) {
                conn.bind(proxyTls, plain);
            }
            else {
                conn.bind(plain);
            }
            conn.setSocketTimeout(Timeout.of(spec.readTimeout()));
        }
        catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
        return new PooledConnection(new HttpTransport(plain, socket, conn, spec.maxHeaderCount(), spec.maxHeaderLine()), System.nanoTime());
    }

    /**
     * Starts HTTP/2 over {@code socket} (TLS after ALPN chose {@code h2}, or plain for {@code h2c}),
     * with one daemon reader thread; the connection's settings come from the spec: stream cap, header
     * limits, and the read-timeout for reads and writes alike.
     */
    private static PooledConnection http2(Spec spec, ChannelSocket plain, Socket socket) throws IOException {
        HostKey key = spec.key();
        H2Settings settings = H2Settings.defaults()
                .withMaxConcurrentStreams(spec.maxConcurrentStreams())
                .withHeaderLimits(spec.maxHeaderCount(), spec.maxHeaderLine())
                .withTimeouts(spec.readTimeout(), spec.readTimeout());
        String authority = key.isDefaultPort() ? key.uriHost() : key.hostPort();
        ThreadFactory readers = r -> {
            Thread t = new Thread(r, "pool-client-h2-" + key.hostPort() + "-" + READERS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        try {
            plain.duplex();
            H2Transport transport = new H2Transport(plain, spec.maxHeaderCount(), spec.maxHeaderLine());
            transport.bind(H2Connection.start(socket, authority, settings, readers, transport));
            return new PooledConnection(transport, System.nanoTime());
        }
        catch (IOException | RuntimeException e) {
            plain.close();
            if (e instanceof ConnectFailedException) {
                throw e;
            }
            throw new ConnectFailedException("Starting HTTP/2 with " + key.hostPort() + " failed through mount '"
                    + spec.mount() + "': " + e.getMessage(), spec.mount(), key.hostPort(), e);
        }
    }

    private static SSLSocket handshake(Spec spec, Socket plain, Duration timeout) throws IOException {
        HostKey key = spec.key();
        SSLContext context;
        try {
            context = spec.tls() != null ? spec.tls().context() : SSLContext.getDefault();
        }
        catch (NoSuchAlgorithmException e) {
            throw new ConnectFailedException("No default TLS context for " + key.hostPort(), spec.mount(), key.hostPort(), e);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, key.host(), key.port(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!HostResolver.isAddressLiteral(key.host())) {
            params.setServerNames(List.of(new SNIHostName(key.host())));
        }
        if (spec.tls() != null && spec.tls().protocols() != null) {
            params.setProtocols(spec.tls().protocols());
        }
        if (spec.tls() != null && spec.tls().ciphers() != null) {
            params.setCipherSuites(spec.tls().ciphers());
        }
        if (spec.offersH2()) {
            params.setApplicationProtocols(spec.alpn().toArray(new String[0]));
        }
        tls.setSSLParameters(params);
        tls.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        try {
            tls.startHandshake();
        }
        catch (SSLException e) {
            throw new ConnectFailedException("TLS handshake with " + key.hostPort() + " failed through mount '"
                    + spec.mount() + "': " + e.getMessage(), spec.mount(), key.hostPort(), e);
        }
        catch (SocketTimeoutException e) {
            throw new ConnectFailedException("TLS handshake with " + key.hostPort() + " timed out after "
                    + spec.connectTimeout().toMillis() + " ms (connect-timeout) through mount '" + spec.mount() + "'",
                    spec.mount(), key.hostPort(), e);
        }
        return tls;
    }

    private static ConnectFailedException connectFailure(Spec spec, IOException last, long elapsedNanos) {
        String hostPort = spec.key().hostPort();
        String what;
        if (last == null || last instanceof SocketTimeoutException) {
            what = "Connect timed out after " + elapsedNanos / 1_000_000 + " ms (connect-timeout "
                    + spec.connectTimeout().toMillis() + " ms)";
        }
        else {
            what = "Failed to connect (" + last.getMessage() + ")";
        }
        return new ConnectFailedException(what + " to " + hostPort + " through mount '" + spec.mount() + "'",
                spec.mount(), hostPort, last);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        }
        catch (IOException ignored) {
            // nothing to do
        }
    }
}
