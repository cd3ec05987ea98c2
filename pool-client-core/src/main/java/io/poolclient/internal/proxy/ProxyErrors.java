package io.poolclient.internal.proxy;

import io.poolclient.ProxyConnectException;

/**
 * Builds {@link ProxyConnectException}s with one message shape: what failed, the proxy (redacted), the
 * target {@code host:port}, the mount, and what the proxy answered or the underlying error. Nothing here
 * ever includes a proxy's user-info.
 */
public final class ProxyErrors {

    private static final int MAX_ANSWER_CHARS = 200;

    private ProxyErrors() {
    }

    /** The proxy could not be reached (refused, unresolvable, connect timeout, TLS to the proxy failed). */
    public static ProxyConnectException unreachable(ProxyUrl proxy, String target, String mount, Throwable cause) {
        return new ProxyConnectException("Cannot connect to proxy " + proxy + " for " + target + through(mount)
                + ": " + describe(cause), mount, target, proxy.toString(), null, cause);
    }

    /** The proxy answered the tunnel or handshake request with a refusal, e.g. {@code 407 Proxy Authentication Required}. */
    public static ProxyConnectException refused(ProxyUrl proxy, String what, String target, String mount,
            String answer) {
        String status = sanitize(answer);
        return new ProxyConnectException("Proxy " + proxy + " refused " + what + " to " + target + through(mount)
                + ": " + status, mount, target, proxy.toString(), status, null);
    }

    /** The handshake broke down: I/O error, timeout, closed connection or an answer that is not the protocol. */
    public static ProxyConnectException failed(ProxyUrl proxy, String what, String target, String mount,
            String problem, Throwable cause) {
        return new ProxyConnectException(what + " to " + target + " through proxy " + proxy + " failed"
                + through(mount) + ": " + problem, mount, target, proxy.toString(), null, cause);
    }

    private static String through(String mount) {
        return mount == null ? "" : " through mount '" + mount + "'";
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /** Printable ASCII only, bounded: a proxy's answer goes into a message as data, never as structure. */
    static String sanitize(String answer) {
        StringBuilder out = new StringBuilder(Math.min(answer.length(), MAX_ANSWER_CHARS));
        for (int i = 0; i < answer.length() && out.length() < MAX_ANSWER_CHARS; i++) {
            char c = answer.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString().strip();
    }
}
