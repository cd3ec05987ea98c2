package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.ProxyConnectException;
import io.poolclient.testing.dante.PrivateDante;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SOCKS5 handshake against a real dante on loopback (no authentication; username/password is covered
 * by {@link Socks5HandshakeTest}: dante checks system accounts). Connections are counted at the origin.
 */
class DanteSocksTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static PrivateDante dante;
    private static EchoOrigin origin;

    @BeforeAll
    static void start() {
        origin = new EchoOrigin();
        dante = PrivateDante.startOrSkip();
    }

    @AfterAll
    static void stop() {
        if (dante != null) {
            dante.close();
        }
        origin.close();
    }

    private static Socket socks(ProxyUrl proxy, InetSocketAddress target) throws IOException {
        Socket socket = ProxySockets.connect(proxy, TIMEOUT, target.getHostString() + ":" + target.getPort(), "socks");
        try {
            Socks5Handshake.connect(socket, proxy, target, TIMEOUT, "socks");
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Test
    void socks5ToAnAddressResolvedByTheClient() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(dante.url("socks5"), "proxy");
        InetSocketAddress target = Socks5Handshake.target(proxy, "localhost", origin.port(),
                InetAddress.getByName("127.0.0.1"));
        int before = origin.accepted();

        try (Socket socket = socks(proxy, target)) {
            TunnelAssertions.assertEchoes(socket, "through dante");
        }

        assertThat(origin.accepted() - before).isEqualTo(1);
    }

    @Test
    void socks5hLetsTheProxyResolveTheName() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(dante.url("socks5h"), "proxy");
        InetSocketAddress target = Socks5Handshake.target(proxy, "localhost", origin.port(), null);
        assertThat(target.isUnresolved()).isTrue();

        try (Socket socket = socks(proxy, target)) {
            TunnelAssertions.assertEchoes(socket, "resolved by dante");
        }
    }

    @Test
    void refusedTargetIsAProxyConnectExceptionWithTheReply() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = probe.getLocalPort();
        }
        ProxyUrl proxy = ProxyUrl.parse(dante.url("socks5h"), "proxy");

        assertThatThrownBy(() -> socks(proxy, InetSocketAddress.createUnresolved("127.0.0.1", closedPort)).close())
                .isInstanceOfSatisfying(ProxyConnectException.class, e ->
                        assertThat(e.proxyStatus()).startsWith("SOCKS5 reply "))
                .hasMessageStartingWith("Proxy " + proxy + " refused SOCKS5 CONNECT to 127.0.0.1:" + closedPort
                        + " through mount 'socks': SOCKS5 reply ");
    }

    @Test
    void credentialsOfferedToAProxyWithoutAuthAreNotNeeded() throws Exception {
        ProxyUrl proxy = ProxyUrl.parse(dante.url("socks5h").replace("://", "://someone:secret@"), "proxy");

        try (Socket socket = socks(proxy, InetSocketAddress.createUnresolved("localhost", origin.port()))) {
            TunnelAssertions.assertEchoes(socket, "no auth needed");
        }
    }

    @Test
    void proxyDownIsAProxyConnectException() throws Exception {
        int unused;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            unused = probe.getLocalPort();
        }
        ProxyUrl proxy = ProxyUrl.parse("socks5h://127.0.0.1:" + unused, "proxy");

        assertThatThrownBy(() -> socks(proxy, InetSocketAddress.createUnresolved("localhost", origin.port())))
                .isInstanceOf(ProxyConnectException.class)
                .hasMessageStartingWith("Cannot connect to proxy socks5h://127.0.0.1:" + unused + " for localhost:"
                        + origin.port() + " through mount 'socks': ");
    }
}
