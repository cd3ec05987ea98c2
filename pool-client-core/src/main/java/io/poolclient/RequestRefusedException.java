package io.poolclient;

/** The request was refused before anything was sent, for example a header holding CR or LF. */
public class RequestRefusedException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public RequestRefusedException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
