package io.poolclient;

/** The pool client (or the pool the request waited on) was closed. */
public class PoolClosedException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public PoolClosedException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
