package io.poolclient.internal.http;

import io.poolclient.Header;
import io.poolclient.ReadTimeoutException;
import io.poolclient.Request;
import io.poolclient.RequestBody;
import io.poolclient.Response;
import io.poolclient.internal.pool.CloseReason;
import io.poolclient.internal.pool.Lease;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request/response exchange over one leased connection, framed by httpcore5. On success the
 * returned {@link Response} owns the lease (its body ends it); on failure the connection is closed
 * before {@link AttemptFailedException} is thrown, so a failed exchange never stays leased.
 * Stateless; the caller's thread does all the I/O.
 */
public final class Exchange {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private Exchange() {
    }

    /** Where the attempt got to, for classifying a failure. */
    private enum Stage { HEADERS, BODY, AWAIT, RESPONSE }

    /**
     * @param lease the connection to use; ended by this call on failure, else by the response
     * @param target the request-target (path and query)
     * @param hostHeader the {@code Host} header value
     */
    public static Response execute(String mount, Lease lease, Request request, String target, String hostHeader,
            Duration readTimeout, boolean decompress) throws AttemptFailedException {
        String hostPort = lease.pool().key().hostPort();
        HttpTransport transport = (HttpTransport) lease.connection().transport();
        DefaultBHttpClientConnection conn = transport.connection();
        // scheme and authority left out: the request line needs only method and target, and no URI is parsed
        BasicClassicHttpRequest wire = new BasicClassicHttpRequest(request.method(), null, null, target);
        boolean acceptEncoding = false;
        boolean hostSet = false;
        for (Header h : request.headers()) {
            String name = h.name();
            if (name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH) || name.equalsIgnoreCase(HttpHeaders.TRANSFER_ENCODING)) {
                continue; // framing is ours
            }
            hostSet |= name.equalsIgnoreCase(HttpHeaders.HOST);
            acceptEncoding |= name.equalsIgnoreCase(HttpHeaders.ACCEPT_ENCODING);
            wire.addHeader(name, h.value());
        }
        if (!hostSet) {
            wire.addHeader(HttpHeaders.HOST, hostHeader);
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
            wire.setEntity(new BodyEntity(body));
        }
        else if (needsLength(request.method())) {
            wire.addHeader(HttpHeaders.CONTENT_LENGTH, "0");
        }

        Stage stage = Stage.HEADERS;
        lease.pool().requestSent();
        lease.connection().exchangeStarted();
        try {
            conn.setSocketTimeout(Timeout.of(readTimeout));
            if (log.isDebugEnabled()) {
                log.debug("{} {} {} (mount '{}')", request.method(), hostPort, target, mount);
            }
            conn.sendRequestHeader(wire);
            if (wire.getEntity() != null) {
                stage = Stage.BODY;
                conn.sendRequestEntity(wire);
            }
            conn.flush();
            stage = Stage.AWAIT;
            ClassicHttpResponse response = conn.receiveResponseHeader();
            while (response.getCode() < 200 && response.getCode() != 101) {
                response = conn.receiveResponseHeader(); // skip 100 Continue and 103 Early Hints
            }
            stage = Stage.RESPONSE;
            int status = response.getCode();
            if (log.isDebugEnabled()) {
                log.debug("{} {} {} -> {} (mount '{}')", request.method(), hostPort, target, status, mount);
            }
            boolean hasBody = hasBody(request.method(), status);
            if (hasBody) {
                conn.receiveResponseEntity(response);
            }
            boolean keepAlive = KeepAlive.reusable(wire, response, status, response.getVersion(), hasBody);
            if (keepAlive) {
                keepAliveTimeout(response, lease);
            }
            return respond(mount, lease, response, hasBody, keepAlive, decode, hostPort, readTimeout);
        }
        catch (IOException | HttpException | RuntimeException e) {
            lease.discard(CloseReason.ERROR);
            if (transport.writeTimedOut()) {
                throw new AttemptFailedException(new ReadTimeoutException("Write timed out after " + readTimeout.toMillis()
                        + " ms (read-timeout) sending the request to " + hostPort + " through mount '" + mount
                        + "': the server stopped reading", mount, hostPort, e), false, stage == Stage.BODY, true);
            }
            boolean noResponse = stage != Stage.RESPONSE
                    && (stage != Stage.AWAIT || e instanceof NoHttpResponseException || e instanceof SocketException);
            String phase = stage == Stage.AWAIT || stage == Stage.RESPONSE ? "waiting for the response" : "sending the request";
            throw new AttemptFailedException(Failures.map(e, mount, hostPort, readTimeout, phase, transport), noResponse,
                    stage.ordinal() >= Stage.BODY.ordinal(), e instanceof java.net.SocketTimeoutException);
        }
    }

    private static Response respond(String mount, Lease lease, ClassicHttpResponse response, boolean hasBody,
            boolean keepAlive, boolean decode, String hostPort, Duration readTimeout) throws IOException {
        List<Header> headers = new ArrayList<>(response.getHeaders().length);
        String encoding = null;
        for (org.apache.hc.core5.http.Header h : response.getHeaders()) {
            headers.add(new Header(h.getName(), h.getValue()));
            if (h.getName().equalsIgnoreCase(HttpHeaders.CONTENT_ENCODING)) {
                encoding = h.getValue().trim().toLowerCase(Locale.ROOT);
            }
        }
        String reason = response.getReasonPhrase() == null ? "" : response.getReasonPhrase();
        if (!hasBody) {
            if (keepAlive) {
                lease.release();
            }
            else {
                lease.discard(CloseReason.NOT_REUSABLE);
            }
            return new PooledResponse(response.getCode(), reason, Collections.unmodifiableList(headers), InputStream.nullInputStream(), mount);
        }
        HttpEntity entity = response.getEntity();
        ResponseBodyStream raw = new ResponseBodyStream(entity.getContent(), entity.getContentLength(), lease, keepAlive, mount, hostPort,
                readTimeout);
        InputStream body = raw;
        if (decode && ("gzip".equals(encoding) || "x-gzip".equals(encoding) || "deflate".equals(encoding))) {
            body = new DecodingStream(raw, !"deflate".equals(encoding));
            headers.removeIf(h -> h.name().equalsIgnoreCase(HttpHeaders.CONTENT_ENCODING)
                    || h.name().equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH));
        }
        return new PooledResponse(response.getCode(), reason, Collections.unmodifiableList(headers), body, mount);
    }

    private static boolean needsLength(String method) {
        return "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method);
    }

    private static boolean hasBody(String method, int status) {
        return !"HEAD".equals(method) && status >= 200 && status != 204 && status != 304;
    }


    /** Honours {@code Keep-Alive: timeout=N}: the connection is not reused N seconds (less a margin) from now. */
    private static void keepAliveTimeout(ClassicHttpResponse response, Lease lease) {
        long seconds = KeepAlive.timeoutSeconds(response);
        if (seconds != KeepAlive.NO_HINT) {
            // a margin of 500 ms guards against the server closing just as we reuse
            long nanos = TimeUnit.SECONDS.toNanos(seconds) - TimeUnit.MILLISECONDS.toNanos(500);
            lease.connection().keepAliveFor(nanos, System.nanoTime());
        }
    }

    /**
     * Adapts a {@link RequestBody} to httpcore5's entity; framing comes from the request headers.
     * A write that makes no progress for the read timeout fails (see {@link ChannelSocket}); the time
     * the body spends producing its bytes between writes is not counted.
     */
    private static final class BodyEntity extends AbstractHttpEntity {
        private final RequestBody body;

        BodyEntity(RequestBody body) {
            super((ContentType) null, null, body.contentLength() < 0);
            this.body = body;
        }

        @Override
        public boolean isRepeatable() {
            return body.isReplayable();
        }

        @Override
        public long getContentLength() {
            return body.contentLength();
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
