package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.ProxyConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SOCKS5 handshake against a small in-test SOCKS5 server: username/password authentication (which
 * dante only offers against the system's accounts) and failure replies. No-auth against a real dante is in
 * the dante tests.
 */
class Socks5HandshakeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final EchoOrigin origin = new EchoOrigin();

    @AfterEach
    void stop() {
        origin.close();
    }

    private static ProxyUrl proxy(String scheme, String userInfo, int port) {
        return ProxyUrl.parse(scheme + "://" + userInfo + "127.0.0.1:" + port, "proxy");
    }

    @Test
    void usernamePasswordAuthenticationThenBytesFlow() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server("alice", "pässword", 0);
                Socket socket = new Socket("127.0.0.1", socks.port())) {
            ProxyUrl proxy = proxy("socks5h", "alice:p%C3%A4ssword@", socks.port());

            Socks5Handshake.connect(socket, proxy, Socks5Handshake.target(proxy, "localhost", origin.port(), null),
                    TIMEOUT, "m");

            TunnelAssertions.assertEchoes(socket, "through socks with a password");
            assertThat(socks.requests()).containsExactly(new InTestSocks5Server.Request(3, "localhost", origin.port()));
        }
    }

    @Test
    void wrongPasswordIsRefusedWithoutShowingIt() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server("alice", "right", 0);
                Socket socket = new Socket("127.0.0.1", socks.port())) {
            ProxyUrl proxy = proxy("socks5", "alice:wrong-secret@", socks.port());

            assertThatThrownBy(() -> Socks5Handshake.connect(socket, proxy,
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), origin.port()), TIMEOUT, "m"))
                    .isInstanceOfSatisfying(ProxyConnectException.class, e ->
                            assertThat(e.proxyStatus()).isEqualTo("SOCKS5 username/password authentication failed (status 1)"))
                    .hasMessage("Proxy socks5://127.0.0.1:" + socks.port() + " refused SOCKS5 CONNECT to 127.0.0.1:"
                            + origin.port() + " through mount 'm': SOCKS5 username/password authentication failed (status 1)")
                    .message().doesNotContain("wrong-secret").doesNotContain("alice");
            assertThat(socks.requests()).isEmpty();
        }
    }

    @Test
    void proxyRequiringAUserRefusesAClientWithoutOne() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server("alice", "right", 0);
                Socket socket = new Socket("127.0.0.1", socks.port())) {
            ProxyUrl proxy = proxy("socks5h", "", socks.port());

            assertThatThrownBy(() -> Socks5Handshake.connect(socket, proxy,
                    InetSocketAddress.createUnresolved("localhost", origin.port()), TIMEOUT, null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageContaining("no acceptable SOCKS5 authentication method (offered no-auth; the proxy may "
                            + "require a user name and password)");
        }
    }

    @Test
    void credentialsOfferedButNoAuthChosen() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server(null, null, 0);
                Socket socket = new Socket("127.0.0.1", socks.port())) {
            ProxyUrl proxy = proxy("socks5h", "alice:unused@", socks.port());

            Socks5Handshake.connect(socket, proxy, InetSocketAddress.createUnresolved("localhost", origin.port()),
                    TIMEOUT, null);

            TunnelAssertions.assertEchoes(socket, "no auth needed");
        }
    }

    @Test
    void socks5SendsTheAddressTheCallerResolved() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server(null, null, 0);
                Socket socket = new Socket("127.0.0.1", socks.port())) {
            ProxyUrl proxy = proxy("socks5", "", socks.port());
            InetSocketAddress target = Socks5Handshake.target(proxy, "localhost", origin.port(),
                    InetAddress.getByName("127.0.0.1"));

            Socks5Handshake.connect(socket, proxy, target, TIMEOUT, null);

            TunnelAssertions.assertEchoes(socket, "resolved locally");
            assertThat(socks.requests()).containsExactly(new InTestSocks5Server.Request(1, "127.0.0.1", origin.port()));
        }
    }

    @Test
    void socks5hSendsLiteralsAsAddresses() {
        ProxyUrl proxy = proxy("socks5h", "", 1080);

        assertThat(Socks5Handshake.target(proxy, "[::1]", 443, InetAddress.getLoopbackAddress()).isUnresolved())
                .isFalse();
        assertThat(Socks5Handshake.target(proxy, "api.example.com", 443, null).isUnresolved()).isTrue();
    }

    @Test
    void refusalReplyCodeIsInTheMessage() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server(null, null, 2);
                Socket socket = new Socket("127.0.0.1", socks.port())) {
            ProxyUrl proxy = proxy("socks5h", "", socks.port());

            assertThatThrownBy(() -> Socks5Handshake.connect(socket, proxy,
                    InetSocketAddress.createUnresolved("blocked.test", 443), TIMEOUT, null))
                    .isInstanceOfSatisfying(ProxyConnectException.class, e ->
                            assertThat(e.proxyStatus()).isEqualTo("SOCKS5 reply 2 (connection not allowed by ruleset)"))
                    .hasMessageEndingWith("refused SOCKS5 CONNECT to blocked.test:443: SOCKS5 reply 2 "
                            + "(connection not allowed by ruleset)");
        }
    }

    @Test
    void notASocksServer() throws Exception {
        try (ScriptedHttpProxy http = new ScriptedHttpProxy(null, false); Socket socket = http.connect()) {
            // the scripted HTTP proxy waits for a request head that never comes: the handshake times out
            assertThatThrownBy(() -> Socks5Handshake.connect(socket, proxy("socks5", "", http.port()),
                    InetSocketAddress.createUnresolved("x.test", 80), Duration.ofMillis(200), null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageEndingWith("failed: no answer within 200 ms");
        }
        try (ScriptedHttpProxy http = new ScriptedHttpProxy("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(), true);
                Socket socket = http.connect()) {
            socket.getOutputStream().write("\r\n\r\n".getBytes()); // let the scripted proxy answer
            assertThatThrownBy(() -> Socks5Handshake.connect(socket, proxy("socks5", "", http.port()),
                    InetSocketAddress.createUnresolved("x.test", 80), TIMEOUT, null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageContaining("the proxy does not speak SOCKS5 (version byte 72)");
        }
    }

    @Test
    void oversizedCredentialsAreRefusedBeforeSending() throws Exception {
        try (InTestSocks5Server socks = new InTestSocks5Server(null, null, 0);
                Socket socket = new Socket("127.0.0.1", socks.port())) {
            ProxyUrl proxy = proxy("socks5", "alice:" + "p".repeat(256) + "@", socks.port());

            assertThatThrownBy(() -> Socks5Handshake.connect(socket, proxy,
                    InetSocketAddress.createUnresolved("x.test", 80), TIMEOUT, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SOCKS5 user name and password must be at most 255 bytes each");
        }
    }

    @Test
    void proxyDownIsAProxyConnectException() throws Exception {
        int unused;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            unused = probe.getLocalPort();
        }
        ProxyUrl proxy = proxy("socks5h", "bob:hunter2@", unused);

        assertThatThrownBy(() -> ProxySockets.connect(proxy, TIMEOUT, "api.example.com:443", "m"))
                .isInstanceOfSatisfying(ProxyConnectException.class, e -> assertThat(e.proxyStatus()).isNull())
                .hasMessageStartingWith("Cannot connect to proxy socks5h://127.0.0.1:" + unused
                        + " for api.example.com:443 through mount 'm': ")
                .message().doesNotContain("hunter2");
    }
}
