package io.poolclient;

/** A chain of redirects went past {@code max-redirects}. */
public class TooManyRedirectsException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public TooManyRedirectsException(String message, String mount, String host) {
        super(message, mount, host, null);
    }
}
