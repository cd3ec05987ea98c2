package io.poolclient;

/** The response broke HTTP/1.1 framing or exceeded a header limit (max-header-count, max-header-line). */
public class MalformedResponseException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public MalformedResponseException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
