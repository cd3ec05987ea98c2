package io.poolclient;

/**
 * A proxy could not carry the connection: the proxy itself could not be reached, it refused the
 * {@code CONNECT} tunnel (any non-2xx answer, e.g. {@code 407 Proxy Authentication Required}), or the
 * SOCKS5 handshake failed. No byte of the request reached the origin server. A {@link ConnectFailedException},
 * so {@code max-retries} and {@code retry.connect} retry a proxy that cannot be reached; a refusal
 * ({@link #proxyStatus()} set) is not retried.
 *
 * <p>The message names the proxy as {@code scheme://host:port} (never its user-info), the target
 * {@code host:port}, the mount, and what the proxy answered: for an HTTP proxy its status line without
 * the protocol version ({@link #proxyStatus()}), for SOCKS5 the reply. A {@code 407} to a plain proxied
 * {@code http://} request is not this exception: it is an HTTP response and reaches the caller as one.
 */
public class ProxyConnectException extends ConnectFailedException {

    private static final long serialVersionUID = 1L;

    private final String proxy;
    private final String proxyStatus;

    /**
     * @param message the full message (already naming proxy, target and mount)
     * @param mount the mount the request went through, or {@code null}
     * @param host the target {@code host:port}
     * @param proxy the proxy as {@code scheme://host:port}, without user-info
     * @param proxyStatus what the proxy answered (e.g. {@code 407 Proxy Authentication Required}), or
     *     {@code null} when it answered nothing (unreachable, closed, timed out)
     * @param cause the underlying failure, or {@code null}
     */
    public ProxyConnectException(String message, String mount, String host, String proxy, String proxyStatus,
            Throwable cause) {
        super(message, mount, host, cause);
        this.proxy = proxy;
        this.proxyStatus = proxyStatus;
    }

    /** The proxy as {@code scheme://host:port}, without user-info. */
    public String proxy() {
        return proxy;
    }

    /**
     * What the proxy answered: an HTTP proxy's status code and reason phrase
     * ({@code 407 Proxy Authentication Required}) or a SOCKS5 reply; {@code null} if it answered nothing.
     */
    public String proxyStatus() {
        return proxyStatus;
    }
}
