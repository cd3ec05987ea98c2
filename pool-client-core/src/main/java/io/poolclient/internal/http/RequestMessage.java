package io.poolclient.internal.http;

import io.poolclient.Header;
import io.poolclient.Request;
import io.poolclient.RequestBody;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;

/**
 * A request as it goes on the wire: its request line, the caller's headers with {@code Host},
 * framing ({@code Content-Length} or chunked) and, with decompression, {@code Accept-Encoding}
 * added, and its body. Made before a connection is leased, so that nothing made here (a caller's
 * body reporting its length, say) can fail while a connection is held. Made per attempt and sent
 * once, by one thread.
 */
public final class RequestMessage {

    private static final String PROXY_AUTHORIZATION = "Proxy-Authorization";

    private final String method;
    private final String target;
    private final BasicClassicHttpRequest wire;
    private final boolean decode;

    private RequestMessage(String method, String target, BasicClassicHttpRequest wire, boolean decode) {
        this.method = method;
        this.target = target;
        this.wire = wire;
        this.decode = decode;
    }

    /**
     * @param decompress whether to ask for and decode {@code gzip}/{@code deflate}; ignored when the
     *     caller set its own {@code Accept-Encoding}
     * @throws RuntimeException whatever the caller's {@link RequestBody#contentLength()} throws
     */
    public static RequestMessage of(Request request, RequestTarget target, boolean decompress) {
        return of(request, target, decompress, null);
    }

    /**
     * A request sent through an HTTP proxy as a plain {@code http://} request: as
     * {@link #of(Request, RequestTarget, boolean)}, with the proxy's {@code Proxy-Authorization} in place
     * of any the caller set.
     *
     * @param proxyAuthorization the {@code Proxy-Authorization} value for the proxy, {@code null} for none
     */
    public static RequestMessage of(Request request, RequestTarget target, boolean decompress,
            String proxyAuthorization) {
        // scheme and authority left out: the request line needs only method and target, and no URI is parsed
        BasicClassicHttpRequest wire = new BasicClassicHttpRequest(request.method(), null, null, target.target());
        boolean acceptEncoding = false;
        boolean hostSet = false;
        for (Header h : request.headers()) {
            String name = h.name();
            if (name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH) || name.equalsIgnoreCase(HttpHeaders.TRANSFER_ENCODING)) {
                continue; // framing is ours
            }
            if (proxyAuthorization != null && name.equalsIgnoreCase(PROXY_AUTHORIZATION)) {
                continue; // the proxy's credentials come from the proxy URL
            }
            hostSet |= name.equalsIgnoreCase(HttpHeaders.HOST);
            acceptEncoding |= name.equalsIgnoreCase(HttpHeaders.ACCEPT_ENCODING);
            wire.addHeader(name, h.value());
        }
        if (!hostSet) {
            wire.addHeader(HttpHeaders.HOST, target.host());
        }
        if (proxyAuthorization != null) {
            wire.addHeader(PROXY_AUTHORIZATION, proxyAuthorization);
        }
        boolean decode = decompress && !acceptEncoding;
        if (decode) {
            wire.addHeader(HttpHeaders.ACCEPT_ENCODING, "gzip, deflate");
        }
        RequestBody body = request.body();
        if (body != null) {
            long length = body.contentLength();
            if (length >= 0) {
                wire.addHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
            }
            else {
                wire.addHeader(HttpHeaders.TRANSFER_ENCODING, "chunked");
            }
            wire.setEntity(new BodyEntity(body, length));
        }
        else if (needsLength(request.method())) {
            wire.addHeader(HttpHeaders.CONTENT_LENGTH, "0");
        }
        return new RequestMessage(request.method(), target.target(), wire, decode);
    }

    private static boolean needsLength(String method) {
        return "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method);
    }

    String method() {
        return method;
    }

    String target() {
        return target;
    }

    /** The httpcore5 message; has an entity when there is a body. */
    BasicClassicHttpRequest wire() {
        return wire;
    }

    /** Whether a {@code gzip}/{@code deflate} response body is to be decoded. */
    boolean decode() {
        return decode;
    }

    /**
     * Adapts a {@link RequestBody} to httpcore5's entity; framing comes from the request headers.
     * A write that makes no progress for the read timeout fails (see {@link ChannelSocket}); the time
     * the body spends producing its bytes between writes is not counted.
     */
    private static final class BodyEntity extends AbstractHttpEntity {
        private final RequestBody body;
        private final long length;

        BodyEntity(RequestBody body, long length) {
            super((ContentType) null, null, length < 0);
            this.body = body;
            this.length = length;
        }

        @Override
        public boolean isRepeatable() {
            return body.isReplayable();
        }

        @Override
        public long getContentLength() {
            return length;
        }

        @Override
        public InputStream getContent() {
            throw new UnsupportedOperationException("request bodies are written, not read");
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            body.writeTo(new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() {
                    // the connection's stream is not the body's to close
                }
            });
        }

        @Override
        public boolean isStreaming() {
            return !body.isReplayable();
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
