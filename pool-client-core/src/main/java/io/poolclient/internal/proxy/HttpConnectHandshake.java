package io.poolclient.internal.proxy;

import io.poolclient.ProxyConnectException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The client side of an HTTP {@code CONNECT} tunnel over a socket already connected to an HTTP proxy (over
 * TLS for an {@code https://} proxy): sends {@code CONNECT host:port HTTP/1.1} with {@code Host} and, when
 * the proxy URL has user-info, a preemptive {@code Proxy-Authorization: Basic}; then reads the proxy's
 * response head. A 2xx answer means the tunnel is open: exactly the response head has been consumed, the
 * next byte read from the socket is the origin's. Any other answer is a {@link ProxyConnectException}
 * carrying the status line ({@code 407 Proxy Authentication Required}).
 *
 * <p>The response head is bounded ({@value #MAX_LINE} bytes a line, {@value #MAX_HEAD} in all) and the
 * whole exchange has one deadline. The socket's read timeout is restored afterwards. On failure the socket
 * is left open but unusable: the caller owns it and closes it.
 *
 * <p>Stateless; each call is confined to its caller's thread and socket.
 */
public final class HttpConnectHandshake {

    static final int MAX_LINE = 8 * 1024;
    static final int MAX_HEAD = 64 * 1024;

    private HttpConnectHandshake() {
    }

    /**
     * Opens a tunnel to {@code host}:{@code port}.
     *
     * @param socket connected to {@code proxy}
     * @param proxy an {@code http://} or {@code https://} proxy
     * @param host the target host name or literal (IPv6 without or with brackets)
     * @param port the target port
     * @param timeout the most the whole exchange may take
     * @param mount the mount, for messages (may be {@code null})
     * @throws ProxyConnectException if the proxy refuses (non-2xx), answers something that is not HTTP,
     *     closes the connection, or does not answer in time
     */
    public static void open(Socket socket, ProxyUrl proxy, String host, int port, Duration timeout, String mount)
            throws ProxyConnectException {
        if (!proxy.scheme().isHttp()) {
            throw new IllegalArgumentException("not an HTTP proxy: " + proxy);
        }
        String authority = authority(host, port);
        try (HandshakeIo io = new HandshakeIo(socket, timeout)) {
            io.write(request(proxy, authority));
            String statusLine = readLine(io);
            int status = statusCode(statusLine);
            if (status < 0) {
                throw ProxyErrors.failed(proxy, "CONNECT", authority, mount,
                        "the answer is not an HTTP status line: '" + ProxyErrors.sanitize(statusLine) + "'", null);
            }
            if (status < 200 || status > 299) {
                throw ProxyErrors.refused(proxy, "CONNECT", authority, mount, statusLine.substring(9));
            }
            int headBytes = statusLine.length();
            String line;
            while (!(line = readLine(io)).isEmpty()) {
                headBytes += line.length() + 2;
                if (headBytes > MAX_HEAD) {
                    throw ProxyErrors.failed(proxy, "CONNECT", authority, mount,
                            "response head longer than " + MAX_HEAD + " bytes", null);
                }
            }
        } catch (ProxyConnectException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw ProxyErrors.failed(proxy, "CONNECT", authority, mount,
                    "no answer within " + timeout.toMillis() + " ms", e);
        } catch (EOFException e) {
            throw ProxyErrors.failed(proxy, "CONNECT", authority, mount,
                    "the proxy closed the connection before answering", e);
        } catch (IOException e) {
            throw ProxyErrors.failed(proxy, "CONNECT", authority, mount, String.valueOf(e.getMessage()), e);
        }
    }

    /** {@code host:port} as in a request target: IPv6 in brackets; refuses characters that would break the line. */
    static String authority(String host, int port) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid CONNECT target " + host + ":" + port);
        }
        for (int i = 0; i < bare.length(); i++) {
            char c = bare.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == '@') {
                throw new IllegalArgumentException("invalid character in CONNECT target host");
            }
        }
        return (bare.indexOf(':') >= 0 ? "[" + bare + "]" : bare) + ":" + port;
    }

    private static byte[] request(ProxyUrl proxy, String authority) {
        StringBuilder request = new StringBuilder(128)
                .append("CONNECT ").append(authority).append(" HTTP/1.1\r\n")
                .append("Host: ").append(authority).append("\r\n");
        ProxyAuthorization.basic(proxy).ifPresent(value ->
                request.append(ProxyAuthorization.HEADER).append(": ").append(value).append("\r\n"));
        return request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code HTTP/1.x NNN ...} to NNN, or -1. */
    static int statusCode(String statusLine) {
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine.charAt(8) != ' ') {
            return -1;
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + (c - '0');
        }
        if (statusLine.length() > 12 && statusLine.charAt(12) != ' ') {
            return -1;
        }
        return code;
    }

    /** One line without its CRLF (a bare LF also ends it), at most {@link #MAX_LINE} bytes. */
    private static String readLine(HandshakeIo io) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = io.readByte();
            if (b == '\n') {
                break;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("response line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
