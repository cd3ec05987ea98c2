package io.poolclient.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.junit.jupiter.api.Test;

/** When a connection may carry another exchange, and the server's keep-alive hint, read from the messages. */
class KeepAliveTest {

    private final BasicClassicHttpRequest get = new BasicClassicHttpRequest("GET", null, null, "/");

    private static BasicClassicHttpResponse response(int code, HttpVersion version, String... headers) {
        BasicClassicHttpResponse r = new BasicClassicHttpResponse(code);
        r.setVersion(version);
        for (int i = 0; i < headers.length; i += 2) {
            r.addHeader(headers[i], headers[i + 1]);
        }
        return r;
    }

    private boolean reusable(BasicClassicHttpResponse r, boolean hasBody) {
        return KeepAlive.reusable(get, r, r.getCode(), r.getVersion(), hasBody);
    }

    @Test
    void http11IsKeptUnlessEitherSideSaysClose() {
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1, "Content-Length", "2"), true)).isTrue();
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1, "Content-Length", "2", "Connection", "close"), true)).isFalse();
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1, "Content-Length", "2", "Connection", "keep-alive, Close "), true))
                .isFalse();
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1, "Content-Length", "2", "Connection", "closed"), true)).isTrue();
        BasicClassicHttpRequest closing = new BasicClassicHttpRequest("GET", null, null, "/");
        closing.addHeader("Connection", "close");
        BasicClassicHttpResponse ok = response(200, HttpVersion.HTTP_1_1, "Content-Length", "2");
        assertThat(KeepAlive.reusable(closing, ok, 200, HttpVersion.HTTP_1_1, true)).isFalse();
    }

    @Test
    void http10IsKeptOnlyWhenTheServerSaysKeepAlive() {
        assertThat(reusable(response(200, HttpVersion.HTTP_1_0, "Content-Length", "2"), true)).isFalse();
        assertThat(reusable(response(200, HttpVersion.HTTP_1_0, "Content-Length", "2", "Connection", "Keep-Alive"), true)).isTrue();
    }

    @Test
    void aBodyThatOnlyTheCloseEndsLeavesNothingToReuse() {
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1), true)).isFalse();
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1, "Content-Length", "2", "Content-Length", "3"), true)).isFalse();
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1, "Transfer-Encoding", "chunked"), true)).isTrue();
        assertThat(reusable(response(200, HttpVersion.HTTP_1_1, "Transfer-Encoding", "gzip"), true)).isFalse();
        assertThat(reusable(response(204, HttpVersion.HTTP_1_1), false)).isTrue();
        assertThat(reusable(response(101, HttpVersion.HTTP_1_1, "Connection", "upgrade"), false)).isFalse();
    }

    @Test
    void theKeepAliveTimeoutHintIsReadWhereverItStands() {
        assertThat(KeepAlive.timeoutSeconds(response(200, HttpVersion.HTTP_1_1, "Keep-Alive", "timeout=5, max=100"))).isEqualTo(5);
        assertThat(KeepAlive.timeoutSeconds(response(200, HttpVersion.HTTP_1_1, "Keep-Alive", "max=100, Timeout=7"))).isEqualTo(7);
        assertThat(KeepAlive.timeoutSeconds(response(200, HttpVersion.HTTP_1_1, "Keep-Alive", "timeout=abc"))).isEqualTo(KeepAlive.NO_HINT);
        assertThat(KeepAlive.timeoutSeconds(response(200, HttpVersion.HTTP_1_1, "Keep-Alive", "max=5"))).isEqualTo(KeepAlive.NO_HINT);
        assertThat(KeepAlive.timeoutSeconds(response(200, HttpVersion.HTTP_1_1))).isEqualTo(KeepAlive.NO_HINT);
    }
}
