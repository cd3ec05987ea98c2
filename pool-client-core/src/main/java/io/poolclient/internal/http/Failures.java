package io.poolclient.internal.http;

import io.poolclient.ExchangeFailedException;
import io.poolclient.MalformedResponseException;
import io.poolclient.PoolClientException;
import io.poolclient.ReadTimeoutException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.TruncatedChunkException;

/** Turns a wire-level failure into the engine's exception with a message naming host and mount. */
final class Failures {

    private Failures() {
    }

    /**
     * @param phase what was going on, as in "reading the response body"
     * @param transport the connection's transport, so that a response past a header limit is
     *     reported naming the setting and its value
     */
    static PoolClientException map(Exception e, String mount, String hostPort, Duration readTimeout, String phase,
            HttpTransport transport) {
        return map(e, mount, hostPort, readTimeout, phase, transport.maxHeaderCount(), transport.maxHeaderLine());
    }

    /** As above, for a connection whose header limits are {@code maxHeaderCount} and {@code maxHeaderLine}. */
    static PoolClientException map(Exception e, String mount, String hostPort, Duration readTimeout, String phase,
            int maxHeaderCount, int maxHeaderLine) {
        if (e instanceof PoolClientException p) {
            return p;
        }
        String where = hostPort + " through mount '" + mount + "'";
        if (e instanceof MessageConstraintException) {
            String limit = limitNamed(e.getMessage(), maxHeaderCount, maxHeaderLine);
            if (limit != null) {
                return new MalformedResponseException("Malformed response from " + where + ": " + e.getMessage() + " ("
                        + limit + ")", mount, hostPort, e);
            }
        }
        if (e instanceof SocketTimeoutException) {
            return new ReadTimeoutException("Read timed out after " + readTimeout.toMillis() + " ms (read-timeout) "
                    + phase + " from " + where, mount, hostPort, e);
        }
        if (e instanceof NoHttpResponseException) {
            return new ExchangeFailedException(hostPort + " closed the connection without sending a response (mount '"
                    + mount + "')", mount, hostPort, e);
        }
        if (e instanceof HttpException || e instanceof MessageConstraintException
                || e instanceof MalformedChunkCodingException || e instanceof TruncatedChunkException
                || e instanceof ConnectionClosedException) {
            return new MalformedResponseException("Malformed response from " + where + ": " + e.getMessage(), mount,
                    hostPort, e);
        }
        if (e instanceof IOException) {
            return new ExchangeFailedException("I/O error " + phase + " " + where + ": " + e, mount, hostPort, e);
        }
        return new ExchangeFailedException("Unexpected failure " + phase + " " + where + ": " + e, mount, hostPort, e);
    }

    /** The setting httpcore5's limit message is about, with its value; {@code null} if not recognised. */
    private static String limitNamed(String message, int maxHeaderCount, int maxHeaderLine) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("header count")) {
            return "max-header-count " + maxHeaderCount;
        }
        if (m.contains("line length")) {
            return "max-header-line " + maxHeaderLine;
        }
        return null;
    }
}
