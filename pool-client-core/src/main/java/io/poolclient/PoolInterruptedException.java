package io.poolclient;

/**
 * The calling thread was interrupted while it waited for a connection from a blocking pool
 * ({@code pool-block: true}). The thread's interrupt status stays set when this is thrown, so code
 * further up still sees the interrupt. Nothing is lost to the pool: a connection handed to the
 * caller at the moment it was interrupted goes back to the pool (or on to the next caller waiting).
 */
public class PoolInterruptedException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public PoolInterruptedException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
