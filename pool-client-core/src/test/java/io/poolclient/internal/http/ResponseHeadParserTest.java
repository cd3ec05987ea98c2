package io.poolclient.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.BasicHttpTransportMetrics;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.junit.jupiter.api.Test;

class ResponseHeadParserTest {

    private static final Http1Config CONFIG = Http1Config.custom().setMaxHeaderCount(4).setMaxLineLength(40).build();

    private final ResponseHeadParser parser = new ResponseHeadParser(CONFIG);

    private ClassicHttpResponse parse(SessionInputBufferImpl buffer, InputStream in) throws Exception {
        return parser.parse(buffer, in);
    }

    private static InputStream wire(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static SessionInputBufferImpl buffer() {
        return new SessionInputBufferImpl(new BasicHttpTransportMetrics(), 64, 0, 40, null);
    }

    private static String[] pairs(ClassicHttpResponse response) {
        return Arrays.stream(response.getHeaders()).map(h -> h.getName() + "=" + h.getValue()).toArray(String[]::new);
    }

    @Test
    void readsStatusLineAndTrimmedHeadersInOrderThenTheNextResponseWithTheSameBuffers() throws Exception {
        InputStream in = wire("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length:  2 \r\nX-A: 1\r\n\r\n"
                + "HTTP/1.1 404 Not Found\r\nX-B: two\r\n\r\n");
        SessionInputBufferImpl buffer = buffer();
        ClassicHttpResponse first = parse(buffer, in);
        assertThat(first.getCode()).isEqualTo(200);
        assertThat(first.getReasonPhrase()).isEqualTo("OK");
        assertThat(pairs(first)).containsExactly("Server=nginx", "Content-Length=2", "X-A=1");
        ClassicHttpResponse second = parse(buffer, in);
        assertThat(second.getCode()).isEqualTo(404);
        assertThat(pairs(second)).containsExactly("X-B=two");
        assertThat(first.getFirstHeader("Server").getValue()).isEqualTo("nginx");
    }

    @Test
    void foldedLinesJoinTheHeaderBeforeThemWithOneSpace() throws Exception {
        ClassicHttpResponse response = parse(buffer(), wire("HTTP/1.1 200 OK\r\nX-Long: one\r\n \t two\r\n\tthree\r\nX-Next: n\r\n\r\n"));
        assertThat(pairs(response)).containsExactly("X-Long=one two three", "X-Next=n");
    }

    @Test
    void emptyLinesBeforeTheStatusLineAreSkipped() throws Exception {
        assertThat(parse(buffer(), wire("\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")).getCode()).isEqualTo(204);
    }

    @Test
    void aStreamEndingBeforeAnyResponseGivesNoResponse() throws Exception {
        assertThat(parse(buffer(), wire(""))).isNull();
    }

    @Test
    void theHeaderCountLimitCountsLinesNotFoldedContinuations() throws Exception {
        assertThat(parse(buffer(), wire("HTTP/1.1 200 OK\r\nA: 1\r\n 1b\r\nB: 2\r\nC: 3\r\n\r\n")).getHeaders()).hasSize(3);
        assertThatThrownBy(() -> parse(buffer(), wire("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n")))
                .isInstanceOf(MessageConstraintException.class).hasMessageContaining("header count");
    }

    @Test
    void aFoldedHeaderLongerThanTheLineLimitFails() {
        assertThatThrownBy(() -> parse(buffer(), wire("HTTP/1.1 200 OK\r\nX-A: 0123456789012345678901234\r\n"
                + " 0123456789012345678901234\r\n\r\n")))
                .isInstanceOf(MessageConstraintException.class).hasMessageContaining("line length");
    }

    @Test
    void aHeaderLineWithoutAColonFails() {
        assertThatThrownBy(() -> parse(buffer(), wire("HTTP/1.1 200 OK\r\nnot a header\r\n\r\n")))
                .hasMessageContaining("Invalid header");
    }

    @Test
    void headersAreMadeEagerlySoTheLineBufferCanBeReused() throws Exception {
        ClassicHttpResponse response = parse(buffer(), wire("HTTP/1.1 200 OK\r\nX-A: first\r\nX-B: second\r\n\r\n"));
        Header[] headers = response.getHeaders();
        assertThat(headers[0].getValue()).isEqualTo("first");
        assertThat(headers[1].getValue()).isEqualTo("second");
    }

    @Test
    void unusualNamesAreReadAsHttpcoreReadsThem() throws Exception {
        ClassicHttpResponse response = parse(buffer(), wire("HTTP/1.1 200 OK\r\n X-Lead: a\r\nX-Empty:\r\nX-Colon: a:b \r\n\r\n"));
        assertThat(pairs(response)).containsExactly("X-Lead=a", "X-Empty=", "X-Colon=a:b");
        assertThatThrownBy(() -> parse(buffer(), wire("HTTP/1.1 200 OK\r\n: no name\r\n\r\n")))
                .hasMessageContaining("Invalid header");
    }
}
