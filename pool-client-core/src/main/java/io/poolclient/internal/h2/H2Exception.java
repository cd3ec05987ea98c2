package io.poolclient.internal.h2;

import java.io.IOException;

/** Base of the HTTP/2 failures of this package; the message names the peer and what went wrong. */
public class H2Exception extends IOException {

    private static final long serialVersionUID = 1L;

    public H2Exception(String message) {
        super(message);
    }

    public H2Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
