package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolclient.ProxyConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The CONNECT handshake against scripted answers (the real-proxy cases are in the squid tests). */
class HttpConnectHandshakeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ProxyUrl PLAIN = ProxyUrl.parse("http://127.0.0.1:3128", "proxy");
    private static final ProxyUrl WITH_USER = ProxyUrl.parse("http://al%20ice:s%C3%A9cret@127.0.0.1:3128", "proxy");

    @Test
    void sendsConnectWithHostAndPreemptiveBasicAuth() throws Exception {
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering("HTTP/1.1 200 Connection established\r\n\r\n");
                Socket socket = proxy.connect()) {
            HttpConnectHandshake.open(socket, WITH_USER, "api.example.com", 443, TIMEOUT, "payments");

            String expected = Base64.getEncoder().encodeToString("al ice:sécret".getBytes(StandardCharsets.UTF_8));
            assertThat(proxy.requestHead()).isEqualTo("CONNECT api.example.com:443 HTTP/1.1\r\n"
                    + "Host: api.example.com:443\r\n"
                    + "Proxy-Authorization: Basic " + expected + "\r\n\r\n");
        }
    }

    @Test
    void noCredentialsNoProxyAuthorizationAndIpv6InBrackets() throws Exception {
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering("HTTP/1.0 200 OK\r\n\r\n");
                Socket socket = proxy.connect()) {
            HttpConnectHandshake.open(socket, PLAIN, "fd00::7", 8443, TIMEOUT, null);

            assertThat(proxy.requestHead()).isEqualTo("CONNECT [fd00::7]:8443 HTTP/1.1\r\nHost: [fd00::7]:8443\r\n\r\n");
        }
    }

    @Test
    void consumesExactlyTheResponseHeadAndRestoresTheReadTimeout() throws Exception {
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering(
                "HTTP/1.1 200 Connection established\r\nVia: 1.1 proxy\r\nX-Bare-Lf: yes\n\r\nfirst origin bytes\n");
                Socket socket = proxy.connect()) {
            socket.setSoTimeout(12_345);

            HttpConnectHandshake.open(socket, PLAIN, "api.example.com", 443, TIMEOUT, null);

            assertThat(socket.getSoTimeout()).isEqualTo(12_345);
            assertThat(TunnelAssertions.readLine(socket.getInputStream())).isEqualTo("first origin bytes");
        }
    }

    @Test
    void refusalCarriesTheStatusLineAndNeverTheCredentials() throws Exception {
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering("HTTP/1.1 407 Proxy Authentication Required\r\n"
                + "Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n");
                Socket socket = proxy.connect()) {
            assertThatThrownBy(() -> HttpConnectHandshake.open(socket, WITH_USER, "api.example.com", 443, TIMEOUT,
                    "payments"))
                    .isInstanceOfSatisfying(ProxyConnectException.class, e -> {
                        assertThat(e.proxyStatus()).isEqualTo("407 Proxy Authentication Required");
                        assertThat(e.proxy()).isEqualTo("http://127.0.0.1:3128");
                        assertThat(e.host()).isEqualTo("api.example.com:443");
                        assertThat(e.mount()).isEqualTo("payments");
                    })
                    .hasMessage("Proxy http://127.0.0.1:3128 refused CONNECT to api.example.com:443 through mount "
                            + "'payments': 407 Proxy Authentication Required")
                    .message().doesNotContain("cret").doesNotContain("al ice").doesNotContain("Basic");
        }
    }

    @Test
    void otherRefusalsToo() throws Exception {
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering("HTTP/1.1 403 Forbidden\r\n\r\n");
                Socket socket = proxy.connect()) {
            assertThatThrownBy(() -> HttpConnectHandshake.open(socket, PLAIN, "blocked.test", 443, TIMEOUT, null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageEndingWith("refused CONNECT to blocked.test:443: 403 Forbidden");
        }
    }

    @Test
    void answerThatIsNotHttp() throws Exception {
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering("SSH-2.0-OpenSSH_9.2\r\n");
                Socket socket = proxy.connect()) {
            assertThatThrownBy(() -> HttpConnectHandshake.open(socket, PLAIN, "api.example.com", 443, TIMEOUT, "m"))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessage("CONNECT to api.example.com:443 through proxy http://127.0.0.1:3128 failed through "
                            + "mount 'm': the answer is not an HTTP status line: 'SSH-2.0-OpenSSH_9.2'");
        }
    }

    @Test
    void proxyClosingBeforeAnswering() throws Exception {
        try (ScriptedHttpProxy proxy = new ScriptedHttpProxy(null, true); Socket socket = proxy.connect()) {
            assertThatThrownBy(() -> HttpConnectHandshake.open(socket, PLAIN, "api.example.com", 443, TIMEOUT, null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageEndingWith("failed: the proxy closed the connection before answering");
        }
    }

    @Test
    void silentProxyTimesOut() throws Exception {
        try (ScriptedHttpProxy proxy = new ScriptedHttpProxy(null, false); Socket socket = proxy.connect()) {
            assertThatThrownBy(() -> HttpConnectHandshake.open(socket, PLAIN, "api.example.com", 443,
                    Duration.ofMillis(200), null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageEndingWith("failed: no answer within 200 ms");
        }
    }

    @Test
    void oversizedResponseHeadIsRefused() throws Exception {
        String header = "X-Filler: " + "x".repeat(1000) + "\r\n";
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering("HTTP/1.1 200 OK\r\n" + header.repeat(100) + "\r\n");
                Socket socket = proxy.connect()) {
            assertThatThrownBy(() -> HttpConnectHandshake.open(socket, PLAIN, "api.example.com", 443, TIMEOUT, null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageEndingWith("response head longer than 65536 bytes");
        }
        try (ScriptedHttpProxy proxy = ScriptedHttpProxy.answering("HTTP/1.1 200 " + "x".repeat(9000) + "\r\n\r\n");
                Socket socket = proxy.connect()) {
            assertThatThrownBy(() -> HttpConnectHandshake.open(socket, PLAIN, "api.example.com", 443, TIMEOUT, null))
                    .isInstanceOf(ProxyConnectException.class)
                    .hasMessageEndingWith("response line longer than 8192 bytes");
        }
    }

    @Test
    void refusesTargetsThatWouldBreakTheRequestLine() {
        assertThatThrownBy(() -> HttpConnectHandshake.authority("evil.test\r\nX: y", 443))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(HttpConnectHandshake.authority("[::1]", 8080)).isEqualTo("[::1]:8080");
    }

    @Test
    void statusCodeParsing() {
        assertThat(HttpConnectHandshake.statusCode("HTTP/1.1 200 Connection established")).isEqualTo(200);
        assertThat(HttpConnectHandshake.statusCode("HTTP/1.0 407")).isEqualTo(407);
        assertThat(HttpConnectHandshake.statusCode("HTTP/2 200 OK")).isEqualTo(-1);
        assertThat(HttpConnectHandshake.statusCode("HTTP/1.1 2000 OK")).isEqualTo(-1);
        assertThat(HttpConnectHandshake.statusCode("")).isEqualTo(-1);
    }

    @Test
    void proxyAuthorizationHeaderValue() {
        assertThat(ProxyAuthorization.basic(PLAIN)).isEmpty();
        assertThat(ProxyAuthorization.basic(ProxyUrl.parse("http://Aladdin:open%20sesame@p:1", "proxy")))
                .contains("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assertThat(ProxyAuthorization.basic(ProxyUrl.parse("http://user@p:1", "proxy"))).contains("Basic dXNlcjo=");
    }
}
