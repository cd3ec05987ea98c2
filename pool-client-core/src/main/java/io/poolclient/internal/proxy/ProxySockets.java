package io.poolclient.internal.proxy;

import io.poolclient.ProxyConnectException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Opens the plain TCP connection to a proxy, turning every failure (unresolvable name, refused, connect
 * timeout) into a {@link ProxyConnectException} that names the proxy and the target. TLS to an
 * {@code https://} proxy is layered on by the caller. Stateless and thread-safe.
 */
public final class ProxySockets {

    private ProxySockets() {
    }

    /**
     * @param proxy the proxy to connect to
     * @param connectTimeout the connect timeout (positive)
     * @param target the target {@code host:port}, for messages
     * @param mount the mount, for messages (may be {@code null})
     * @return a connected socket with {@code TCP_NODELAY}
     */
    public static Socket connect(ProxyUrl proxy, Duration connectTimeout, String target, String mount)
            throws ProxyConnectException {
        InetSocketAddress address = new InetSocketAddress(proxy.host(), proxy.port());
        if (address.isUnresolved()) {
            throw ProxyErrors.unreachable(proxy, target, mount,
                    new IOException("cannot resolve proxy host '" + proxy.host() + "'"));
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to clean up beyond the failed socket
            }
            throw ProxyErrors.unreachable(proxy, target, mount, e);
        }
    }
}
