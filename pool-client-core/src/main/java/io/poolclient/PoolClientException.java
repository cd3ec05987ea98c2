package io.poolclient;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Base of every failure the engine reports. An {@link IOException}, so Spring's {@code RestClient}
 * wraps it in a {@code ResourceAccessException} with this message as the cause. The message
 * always says what happened, to which host ({@code host:port}, never user-info) and through
 * which mount.
 */
public class PoolClientException extends IOException {

    private static final long serialVersionUID = 1L;

    private final @Nullable String mount;
    private final String host;

    public PoolClientException(String message, @Nullable String mount, String host, @Nullable Throwable cause) {
        super(message, cause);
        this.mount = mount;
        this.host = host;
    }

    /** The name of the mount the request went through, or {@code null} before one was chosen. */
    public @Nullable String mount() {
        return mount;
    }

    /** The normalized {@code host:port} the request was for. */
    public String host() {
        return host;
    }
}
