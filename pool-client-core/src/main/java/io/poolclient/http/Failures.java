package io.poolclient.http;

import io.poolclient.ExchangeFailedException;
import io.poolclient.MalformedResponseException;
import io.poolclient.PoolClientException;
import io.poolclient.ReadTimeoutException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
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

    static PoolClientException map(Exception e, String mount, String hostPort, Duration readTimeout, String phase) {
        if (e instanceof PoolClientException p) {
            return p;
        }
        String where = hostPort + " through mount '" + mount + "'";
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
}
