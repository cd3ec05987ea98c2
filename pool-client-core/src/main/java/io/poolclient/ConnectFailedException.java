package io.poolclient;

/** A connection could not be established: DNS, refused, connect timeout or TLS handshake. No byte of the request reached the server. */
public class ConnectFailedException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public ConnectFailedException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
