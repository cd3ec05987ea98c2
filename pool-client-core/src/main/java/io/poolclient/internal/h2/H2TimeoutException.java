package io.poolclient.internal.h2;

import java.net.SocketTimeoutException;

/**
 * A wait on one stream exceeded its limit: the read timeout while waiting for response headers or
 * body bytes, or the write timeout while the peer's flow-control window stayed closed. A
 * {@link SocketTimeoutException}, so it is reported like the HTTP/1.1 timeouts. The stream should be
 * closed (which resets it); the connection stays usable.
 */
public class H2TimeoutException extends SocketTimeoutException {

    private static final long serialVersionUID = 1L;

    public H2TimeoutException(String message) {
        super(message);
    }
}
