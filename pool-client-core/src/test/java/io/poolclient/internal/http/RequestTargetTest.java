package io.poolclient.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolclient.internal.pool.HostKey;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * The request line's target and the {@code Host} header of a request sent straight to its origin:
 * path and raw query as given (never re-encoded), {@code /} for an empty path, no fragment or
 * user-info; the port in {@code Host} only when it is not the scheme's default, IPv6 in brackets.
 */
class RequestTargetTest {

    private static RequestTarget origin(String url) {
        URI uri = URI.create(url);
        int port = uri.getPort() >= 0 ? uri.getPort() : HostKey.defaultPort(uri.getScheme());
        return RequestTarget.origin(uri, new HostKey(uri.getScheme(), uri.getHost(), port, null));
    }

    @Test
    void pathAndRawQueryAreSentAsGiven() {
        assertThat(origin("http://example.test/a%20b/c?x=1%262&y=%2F#frag"))
                .isEqualTo(new RequestTarget("/a%20b/c?x=1%262&y=%2F", "example.test"));
    }

    @Test
    void anEmptyPathIsTheRoot() {
        assertThat(origin("https://user:secret@example.test").target()).isEqualTo("/");
        assertThat(origin("https://example.test?q=1").target()).isEqualTo("/?q=1");
    }

    @Test
    void theHostHeaderHasThePortOnlyWhenItIsNotTheDefault() {
        assertThat(origin("http://Example.TEST:80/").host()).isEqualTo("example.test");
        assertThat(origin("https://example.test:443/").host()).isEqualTo("example.test");
        assertThat(origin("http://example.test:8080/").host()).isEqualTo("example.test:8080");
        assertThat(origin("https://example.test:80/").host()).isEqualTo("example.test:80");
    }

    @Test
    void anIpv6HostIsBracketed() {
        assertThat(origin("http://[::1]/").host()).isEqualTo("[::1]");
        assertThat(origin("http://[::1]:8080/").host()).isEqualTo("[::1]:8080");
    }

    @Test
    void throughAnHttpProxyThePlainRequestIsInAbsoluteFormWithoutUserInfo() {
        URI uri = URI.create("http://user:secret@Example.TEST:8080/a%20b?x=1#frag");
        RequestTarget target = RequestTarget.absolute(uri, new HostKey("http", uri.getHost(), 8080, null));
        assertThat(target).isEqualTo(new RequestTarget("http://example.test:8080/a%20b?x=1", "example.test:8080"));
        URI v6 = URI.create("http://[::1]/");
        assertThat(RequestTarget.absolute(v6, new HostKey("http", v6.getHost(), 80, null)))
                .isEqualTo(new RequestTarget("http://[::1]/", "[::1]"));
    }
}
