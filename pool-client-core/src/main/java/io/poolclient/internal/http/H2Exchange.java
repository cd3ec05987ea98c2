package io.poolclient.internal.http;

import io.poolclient.ExchangeFailedException;
import io.poolclient.Header;
import io.poolclient.PoolClientException;
import io.poolclient.ReadTimeoutException;
import io.poolclient.Response;
import io.poolclient.internal.h2.H2Connection;
import io.poolclient.internal.h2.H2ConnectionException;
import io.poolclient.internal.h2.H2Response;
import io.poolclient.internal.h2.H2Stream;
import io.poolclient.internal.h2.H2StreamResetException;
import io.poolclient.internal.h2.H2TimeoutException;
import io.poolclient.internal.h2.H2UnprocessedStreamException;
import io.poolclient.internal.pool.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request/response exchange over one stream of a leased HTTP/2 connection (the lease is the
 * stream). On success the returned {@link Response} owns the lease: its body ends it at the end of
 * the stream or on close (closing early resets the stream; the connection stays in use). On failure
 * the stream is reset and the lease ended before {@link AttemptFailedException} is thrown; a failure
 * of the whole connection is left to the connection, which tells its pool. Stateless; the caller's
 * thread does the writing and waiting, the connection's reader thread the reading.
 */
public final class H2Exchange {

    private static final Logger log = LoggerFactory.getLogger(H2Exchange.class);

    private H2Exchange() {
    }

    /**
     * Opens a stream, sends the message and waits for the response head.
     *
     * @param lease the stream's lease; ended by this call on failure, else by the response
     */
    public static Response execute(String mount, Lease lease, RequestMessage message, Duration readTimeout)
            throws AttemptFailedException {
        String hostPort = lease.pool().key().hostPort();
        H2Connection connection = ((H2Transport) lease.connection().transport()).connection();
        BasicClassicHttpRequest wire = message.wire();
        H2Stream stream = null;
        ExchangeStage stage = ExchangeStage.HEADERS;
        try {
            lease.pool().requestSent();
            stream = connection.reserve();
            if (stream == null) {
                throw new H2UnprocessedStreamException(hostPort + " takes no new stream on this HTTP/2 connection"
                        + " (GOAWAY, closed or at its stream limit); the request was not sent");
            }
            if (log.isDebugEnabled()) {
                log.debug("{} {} {} over HTTP/2 (mount '{}')", message.method(), hostPort, message.target(), mount);
            }
            HttpEntity entity = wire.getEntity();
            stream.open(message.method(), message.target(), headers(wire), entity == null);
            H2Response head = null;
            if (entity != null) {
                stage = ExchangeStage.BODY;
                try {
                    OutputStream out = stream.requestBody();
                    entity.writeTo(out);
                    out.close();
                }
                catch (H2ConnectionException | H2StreamResetException e) {
                    head = answeredEarly(stream, e);
                }
            }
            stage = ExchangeStage.AWAIT;
            if (head == null) {
                head = stream.awaitResponse();
            }
            stage = ExchangeStage.RESPONSE;
            if (log.isDebugEnabled()) {
                log.debug("{} {} {} -> {} (mount '{}')", message.method(), hostPort, message.target(), head.status(), mount);
            }
            return respond(mount, lease, stream, head, message, hostPort, readTimeout);
        }
        catch (IOException | RuntimeException e) {
            if (stream != null) {
                stream.cancel();
            }
            lease.release(); // the stream's end; a failed connection has told its pool already
            boolean unprocessed = e instanceof H2UnprocessedStreamException;
            boolean noResponse = unprocessed || (stage.beforeResponse() && e instanceof H2ConnectionException);
            throw new AttemptFailedException(map(e, mount, hostPort, readTimeout, stage.phase(), lease), noResponse,
                    stage.bodyStarted() && !unprocessed, lease.connection().isReused(), unprocessed);
        }
    }

    /**
     * The response a server sent before it took the whole request body (then reset the stream or
     * closed the connection, which failed the upload): the stream has it already, whole, so it is
     * the answer. Else {@code failed} is rethrown. Does not wait: the failure has ended the stream.
     */
    private static H2Response answeredEarly(H2Stream stream, IOException failed) throws IOException {
        try {
            return stream.awaitResponse();
        }
        catch (IOException | RuntimeException e) {
            throw failed;
        }
    }

    /** The request's fields for HTTP/2: the stream leaves out {@code Host} and connection-specific ones. */
    private static List<Header> headers(BasicClassicHttpRequest wire) {
        org.apache.hc.core5.http.Header[] all = wire.getHeaders();
        List<Header> headers = new ArrayList<>(all.length);
        for (org.apache.hc.core5.http.Header h : all) {
            headers.add(new Header(h.getName(), h.getValue()));
        }
        return headers;
    }

    private static Response respond(String mount, Lease lease, H2Stream stream, H2Response head, RequestMessage message,
            String hostPort, Duration readTimeout) {
        List<Header> headers = new ArrayList<>(head.headers());
        String encoding = head.header(HttpHeaders.CONTENT_ENCODING);
        encoding = encoding == null ? null : encoding.trim().toLowerCase(Locale.ROOT);
        int status = head.status();
        boolean hasBody = !"HEAD".equals(message.method()) && status != 204 && status != 304;
        if (!hasBody) {
            stream.cancel(); // ended already unless the server sent a body anyway
            lease.release();
            return new PooledResponse(status, "", Collections.unmodifiableList(headers), InputStream.nullInputStream(), mount);
        }
        boolean decoded = message.decode() && ("gzip".equals(encoding) || "x-gzip".equals(encoding) || "deflate".equals(encoding));
        if (decoded) {
            headers.removeIf(h -> h.name().equalsIgnoreCase(HttpHeaders.CONTENT_ENCODING)
                    || h.name().equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH));
        }
        StreamBody raw = new StreamBody(stream, lease, mount, hostPort, readTimeout);
        InputStream body = decoded ? new DecodingStream(raw, raw::isDone, !"deflate".equals(encoding)) : raw;
        return new PooledResponse(status, "", Collections.unmodifiableList(headers), body, mount);
    }

    /** The engine's exception for a stream's failure, naming host and mount. */
    static PoolClientException map(Exception e, String mount, String hostPort, Duration readTimeout, String phase,
            Lease lease) {
        String where = hostPort + " through mount '" + mount + "'";
        if (e instanceof H2TimeoutException t && t.getMessage() != null && t.getMessage().contains("write timeout")) {
            return new ReadTimeoutException("Write timed out after " + readTimeout.toMillis() + " ms (read-timeout) "
                    + phase + " to " + where + ": " + e.getMessage(), mount, hostPort, e);
        }
        if (e instanceof H2StreamResetException r) {
            return new ExchangeFailedException(hostPort + " reset the HTTP/2 stream " + phase + " (mount '" + mount
                    + "'): " + r.getMessage(), mount, hostPort, e);
        }
        if (e instanceof H2UnprocessedStreamException) {
            return new ExchangeFailedException("HTTP/2 stream to " + where + " was not processed by the server: "
                    + e.getMessage(), mount, hostPort, e);
        }
        if (e instanceof H2ConnectionException) {
            return new ExchangeFailedException("HTTP/2 connection to " + where + " failed " + phase + ": "
                    + e.getMessage(), mount, hostPort, e);
        }
        H2Transport t = (H2Transport) lease.connection().transport();
        return Failures.map(e, mount, hostPort, readTimeout, phase, t.maxHeaderCount(), t.maxHeaderLine());
    }

    /**
     * The response body as the stream delivers it. Ends the lease exactly once: at the end of the
     * stream, on {@link #close()} (which resets a stream not yet at its end; the connection stays
     * usable) or on a read failure. If the body becomes unreachable without either, a {@link Cleaner}
     * resets the stream, ends the lease and logs a leak WARN. Use from one thread.
     */
    static final class StreamBody extends ArrayReadInputStream {

        private static final Cleaner CLEANER = Cleaner.create(r -> {
            Thread t = new Thread(r, "pool-client-h2-leak-reclaimer");
            t.setDaemon(true);
            return t;
        });

        private final H2Stream stream;
        private final InputStream in;
        private final Lease lease;
        private final String mount;
        private final String hostPort;
        private final Duration readTimeout;
        private final Cleaner.Cleanable cleanable;
        private boolean done;

        StreamBody(H2Stream stream, Lease lease, String mount, String hostPort, Duration readTimeout) {
            this.stream = stream;
            this.in = stream.responseBody();
            this.lease = lease;
            this.mount = mount;
            this.hostPort = hostPort;
            this.readTimeout = readTimeout;
            this.cleanable = CLEANER.register(this, new Reclaim(stream, lease, mount, hostPort));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n;
            try {
                n = in.read(b, off, len);
            }
            catch (IOException | RuntimeException e) {
                end();
                throw map(e, mount, hostPort, readTimeout, "reading the response body", lease);
            }
            if (n < 0) {
                end();
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return done ? 0 : in.available();
        }

        @Override
        public void close() {
            end();
        }

        boolean isDone() {
            return done;
        }

        private void end() {
            if (!done) {
                done = true;
                stream.cancel(); // resets the stream if it is still open; frees its place before the lease ends
                lease.release();
                cleanable.clean(); // the lease has ended: the reclaimer only unregisters
            }
        }
    }

    /** Reclaims the stream of a response dropped unclosed. Holds no reference to the body. */
    private record Reclaim(H2Stream stream, Lease lease, String mount, String hostPort) implements Runnable {
        @Override
        public void run() {
            if (lease.isEnded()) {
                return;
            }
            log.warn("Stream leak: an HTTP/2 response from {} (mount '{}') was dropped without being closed or read"
                    + " to the end; its stream was reset and reclaimed", hostPort, mount);
            stream.cancel();
            lease.release();
        }
    }
}
