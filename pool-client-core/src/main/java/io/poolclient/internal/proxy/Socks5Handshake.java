package io.poolclient.internal.proxy;

import io.poolclient.ProxyConnectException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The client side of a SOCKS5 {@code CONNECT} (RFC 1928) over a socket already connected to the proxy,
 * with the "no authentication" method, or username/password (RFC 1929) when the proxy URL has user-info
 * (both methods are offered then; the proxy chooses). An unresolved target address is sent as a domain
 * name for the proxy to resolve ({@code socks5h}); a resolved one as its IPv4/IPv6 address ({@code socks5},
 * where the caller resolved the name). On success exactly the handshake bytes have been consumed: the next
 * byte read from the socket is the origin's.
 *
 * <p>One deadline covers the whole handshake; the socket's read timeout is restored afterwards. On failure
 * the socket is left open but unusable: the caller owns it and closes it.
 *
 * <p>Stateless; each call is confined to its caller's thread and socket.
 */
public final class Socks5Handshake {

    private static final int VERSION = 5;
    private static final int METHOD_NONE = 0x00;
    private static final int METHOD_USERNAME = 0x02;
    private static final int NO_ACCEPTABLE_METHOD = 0xff;
    private static final int CMD_CONNECT = 1;
    private static final int ATYP_IPV4 = 1;
    private static final int ATYP_DOMAIN = 3;
    private static final int ATYP_IPV6 = 4;

    private Socks5Handshake() {
    }

    /**
     * Asks the proxy to connect to {@code target}.
     *
     * @param socket connected to {@code proxy}
     * @param proxy a {@code socks5://} or {@code socks5h://} proxy
     * @param target unresolved (a name the proxy resolves) or resolved (an address sent as is)
     * @param timeout the most the whole handshake may take
     * @param mount the mount, for messages (may be {@code null})
     * @throws ProxyConnectException if the proxy accepts no offered method, rejects the credentials, refuses
     *     the connection (its reply code is in the message), breaks the protocol, closes or times out
     * @throws IllegalArgumentException if a user name, password or host name is longer than SOCKS5 allows (255
     *     bytes)
     */
    public static void connect(Socket socket, ProxyUrl proxy, InetSocketAddress target, Duration timeout,
            String mount) throws ProxyConnectException {
        if (proxy.scheme().isHttp()) {
            throw new IllegalArgumentException("not a SOCKS5 proxy: " + proxy);
        }
        String hostPort = hostPort(target);
        byte[] request = connectRequest(target);
        byte[] credentials = proxy.hasCredentials() ? credentials(proxy) : null;
        try (HandshakeIo io = new HandshakeIo(socket, timeout)) {
            io.write(credentials == null ? new byte[] {VERSION, 1, METHOD_NONE}
                    : new byte[] {VERSION, 2, METHOD_NONE, METHOD_USERNAME});
            int version = io.readByte();
            int method = io.readByte();
            if (version != VERSION) {
                throw ProxyErrors.failed(proxy, "SOCKS5 CONNECT", hostPort, mount,
                        "the proxy does not speak SOCKS5 (version byte " + version + ")", null);
            }
            if (method == METHOD_USERNAME && credentials != null) {
                io.write(credentials);
                int authVersion = io.readByte();
                int status = io.readByte();
                if (authVersion != 1 || status != 0) {
                    throw ProxyErrors.refused(proxy, "SOCKS5 CONNECT", hostPort, mount,
                            "SOCKS5 username/password authentication failed (status " + status + ")");
                }
            } else if (method == NO_ACCEPTABLE_METHOD) {
                throw ProxyErrors.refused(proxy, "SOCKS5 CONNECT", hostPort, mount,
                        "no acceptable SOCKS5 authentication method (offered "
                                + (credentials == null ? "no-auth; the proxy may require a user name and password"
                                        : "no-auth and username/password") + ")");
            } else if (method != METHOD_NONE) {
                throw ProxyErrors.failed(proxy, "SOCKS5 CONNECT", hostPort, mount,
                        "the proxy chose method " + method + ", which was not offered", null);
            }
            io.write(request);
            byte[] head = new byte[4];
            io.readFully(head);
            if (head[0] != VERSION) {
                throw ProxyErrors.failed(proxy, "SOCKS5 CONNECT", hostPort, mount,
                        "bad reply version " + (head[0] & 0xff), null);
            }
            int reply = head[1] & 0xff;
            if (reply != 0) {
                throw ProxyErrors.refused(proxy, "SOCKS5 CONNECT", hostPort, mount,
                        "SOCKS5 reply " + reply + " (" + replyText(reply) + ")");
            }
            int boundLength = switch (head[3]) {
                case ATYP_IPV4 -> 4;
                case ATYP_IPV6 -> 16;
                case ATYP_DOMAIN -> io.readByte();
                default -> -1;
            };
            if (boundLength < 0) {
                throw ProxyErrors.failed(proxy, "SOCKS5 CONNECT", hostPort, mount,
                        "bad address type " + (head[3] & 0xff) + " in the reply", null);
            }
            io.readFully(new byte[boundLength + 2]); // bound address and port: not needed for CONNECT
        } catch (ProxyConnectException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw ProxyErrors.failed(proxy, "SOCKS5 CONNECT", hostPort, mount,
                    "no answer within " + timeout.toMillis() + " ms", e);
        } catch (EOFException e) {
            throw ProxyErrors.failed(proxy, "SOCKS5 CONNECT", hostPort, mount,
                    "the proxy closed the connection during the handshake", e);
        } catch (IOException e) {
            throw ProxyErrors.failed(proxy, "SOCKS5 CONNECT", hostPort, mount, String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * The address to hand to {@link #connect} for {@code host}: unresolved for {@code socks5h} (unless it is
     * an address literal), else {@code resolved}.
     */
    public static InetSocketAddress target(ProxyUrl proxy, String host, int port, InetAddress resolved) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (proxy.scheme().resolvesAtProxy() && !IpLiteral.isLiteral(bare)) {
            return InetSocketAddress.createUnresolved(bare, port);
        }
        return new InetSocketAddress(resolved, port);
    }

    private static byte[] connectRequest(InetSocketAddress target) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        out.write(VERSION);
        out.write(CMD_CONNECT);
        out.write(0);
        InetAddress address = target.isUnresolved() ? null : target.getAddress();
        if (address == null) {
            byte[] name = target.getHostString().getBytes(StandardCharsets.US_ASCII);
            if (name.length == 0 || name.length > 255) {
                throw new IllegalArgumentException("SOCKS5 host name must be 1-255 bytes long");
            }
            out.write(ATYP_DOMAIN);
            out.write(name.length);
            out.writeBytes(name);
        } else {
            out.write(address instanceof Inet6Address ? ATYP_IPV6 : ATYP_IPV4);
            out.writeBytes(address.getAddress());
        }
        out.write(target.getPort() >> 8);
        out.write(target.getPort() & 0xff);
        return out.toByteArray();
    }

    private static byte[] credentials(ProxyUrl proxy) {
        byte[] user = proxy.username().getBytes(StandardCharsets.UTF_8);
        byte[] password = proxy.password().getBytes(StandardCharsets.UTF_8);
        if (user.length > 255 || password.length > 255) {
            throw new IllegalArgumentException("SOCKS5 user name and password must be at most 255 bytes each");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(3 + user.length + password.length);
        out.write(1);
        out.write(user.length);
        out.writeBytes(user);
        out.write(password.length);
        out.writeBytes(password);
        return out.toByteArray();
    }

    private static String hostPort(InetSocketAddress target) {
        String host = target.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + target.getPort();
    }

    static String replyText(int reply) {
        return switch (reply) {
            case 1 -> "general SOCKS server failure";
            case 2 -> "connection not allowed by ruleset";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            default -> "unassigned reply code";
        };
    }
}
