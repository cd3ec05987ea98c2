package io.poolclient;

import java.io.Closeable;
import java.io.InputStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A response whose body is still on the connection. The connection goes back to its pool when the
 * body has been read to the end or the response is closed; closing early drains a small bounded
 * amount and otherwise closes the connection. Use from one thread; {@link #close()} is idempotent.
 */
public interface Response extends Closeable {

    int status();

    /** The reason phrase as the server sent it (may be empty). */
    String reason();

    List<Header> headers();

    /** The first value of a header (case-insensitive), or {@code null}. */
    default @Nullable String header(String name) {
        for (Header h : headers()) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The body, decoded when the mount decompresses; empty for HEAD, 204 and 304. */
    InputStream body();

    /** The name of the mount that served the final attempt. */
    String mount();

    @Override
    void close();
}
