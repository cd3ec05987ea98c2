package io.poolclient.internal.http;

import io.poolclient.Header;
import io.poolclient.ReadTimeoutException;
import io.poolclient.Response;
import io.poolclient.internal.pool.CloseReason;
import io.poolclient.internal.pool.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request/response exchange over one leased connection, framed by httpcore5. On success the
 * returned {@link Response} owns the lease (its body ends it; a response without a body has ended
 * it already); on failure of any kind the connection is closed before {@link AttemptFailedException}
 * is thrown, so a failed exchange never stays leased. Stateless; the caller's thread does all the
 * I/O.
 */
public final class Exchange {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private Exchange() {
    }

    /**
     * Sends the message and reads the response head.
     *
     * @param lease the connection to use; ended by this call on failure, else by the response
     */
    public static Response execute(String mount, Lease lease, RequestMessage message, Duration readTimeout)
            throws AttemptFailedException {
        HttpTransport transport = (HttpTransport) lease.connection().transport();
        DefaultBHttpClientConnection conn = transport.connection();
        BasicClassicHttpRequest wire = message.wire();
        ExchangeStage stage = ExchangeStage.HEADERS;
        // everything from here on runs inside the try, so that no failure of any kind leaves the lease held
        try {
            lease.pool().requestSent();
            conn.setSocketTimeout(Timeout.of(readTimeout));
            if (log.isDebugEnabled()) {
                log.debug("{} {} {} (mount '{}')", message.method(), lease.pool().key().hostPort(), message.target(), mount);
            }
            conn.sendRequestHeader(wire);
            if (wire.getEntity() != null) {
                stage = ExchangeStage.BODY;
                conn.sendRequestEntity(wire);
            }
            conn.flush();
            stage = ExchangeStage.AWAIT;
            ClassicHttpResponse response = conn.receiveResponseHeader();
            while (response.getCode() < 200 && response.getCode() != 101) {
                response = conn.receiveResponseHeader(); // skip 100 Continue and 103 Early Hints
            }
            stage = ExchangeStage.RESPONSE;
            int status = response.getCode();
            if (log.isDebugEnabled()) {
                log.debug("{} {} {} -> {} (mount '{}')", message.method(), lease.pool().key().hostPort(), message.target(),
                        status, mount);
            }
            boolean hasBody = hasBody(message.method(), status);
            if (hasBody) {
                conn.receiveResponseEntity(response);
            }
            boolean keepAlive = KeepAlive.reusable(wire, response, status, response.getVersion(), hasBody);
            if (keepAlive) {
                keepAliveTimeout(response, lease);
            }
            return respond(mount, lease, response, hasBody, keepAlive, message.decode(), readTimeout);
        }
        catch (IOException | HttpException | RuntimeException e) {
            lease.discard(CloseReason.ERROR);
            String hostPort = lease.pool().key().hostPort();
            boolean reused = lease.connection().isReused();
            if (transport.writeTimedOut()) {
                throw new AttemptFailedException(new ReadTimeoutException("Write timed out after " + readTimeout.toMillis()
                        + " ms (read-timeout) sending the request to " + hostPort + " through mount '" + mount
                        + "': the server stopped reading", mount, hostPort, e), false, stage == ExchangeStage.BODY, reused);
            }
            boolean noResponse = stage.sending() || (stage.beforeResponse()
                    && (e instanceof NoHttpResponseException || e instanceof SocketException));
            throw new AttemptFailedException(Failures.map(e, mount, hostPort, readTimeout, stage.phase(), transport),
                    noResponse, stage.bodyStarted(), reused);
        }
    }

    private static Response respond(String mount, Lease lease, ClassicHttpResponse response, boolean hasBody,
            boolean keepAlive, boolean decode, Duration readTimeout) throws IOException {
        // iterated in place: getHeaders() would first copy the message's list into a new array
        List<Header> headers = new ArrayList<>();
        String encoding = null;
        for (Iterator<org.apache.hc.core5.http.Header> it = response.headerIterator(); it.hasNext(); ) {
            org.apache.hc.core5.http.Header h = it.next();
            String name = h.getName();
            String value = h.getValue();
            headers.add(new Header(name, value));
            if (name.equalsIgnoreCase(HttpHeaders.CONTENT_ENCODING)) {
                encoding = value.trim().toLowerCase(Locale.ROOT);
            }
        }
        String reason = response.getReasonPhrase() == null ? "" : response.getReasonPhrase();
        boolean decoded = hasBody && decode && ("gzip".equals(encoding) || "x-gzip".equals(encoding) || "deflate".equals(encoding));
        if (decoded) {
            headers.removeIf(h -> h.name().equalsIgnoreCase(HttpHeaders.CONTENT_ENCODING)
                    || h.name().equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH));
        }
        HttpEntity entity = hasBody ? response.getEntity() : null;
        if (entity == null || entity.getContentLength() == 0) {
            // nothing to read: the connection is done with now, whether or not the caller reads or closes
            if (keepAlive) {
                lease.release();
            }
            else {
                lease.discard(CloseReason.NOT_REUSABLE);
            }
            return new PooledResponse(response.getCode(), reason, Collections.unmodifiableList(headers),
                    InputStream.nullInputStream(), mount);
        }
        ResponseBodyStream raw = new ResponseBodyStream(entity.getContent(), entity.getContentLength(), lease, keepAlive, mount,
                readTimeout);
        InputStream body = decoded ? new DecodingStream(raw, !"deflate".equals(encoding)) : raw;
        return new PooledResponse(response.getCode(), reason, Collections.unmodifiableList(headers), body, mount);
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
}
