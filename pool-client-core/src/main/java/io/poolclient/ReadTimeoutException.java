package io.poolclient;

/** The server did not send the next byte of the response within read-timeout. */
public class ReadTimeoutException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public ReadTimeoutException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
