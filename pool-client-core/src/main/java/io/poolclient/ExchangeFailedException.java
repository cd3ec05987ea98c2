package io.poolclient;

/** Sending the request or reading the response failed after the connection was established. */
public class ExchangeFailedException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public ExchangeFailedException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
