package io.poolclient;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A request body, written straight onto the connection. A replayable body may be written again
 * when a retry or a 307/308 redirect resends the request; a one-shot body disables every resend
 * that would need it once its first byte was written.
 */
public interface RequestBody {

    /** The exact length in bytes, or -1 to send it chunked. */
    long contentLength();

    /** Writes the whole body; must not close {@code out}. */
    void writeTo(OutputStream out) throws IOException;

    /** Whether {@link #writeTo} may be called more than once with the same result. */
    boolean isReplayable();

    /** A replayable body over a byte array (not copied). */
    static RequestBody of(byte[] bytes) {
        return new RequestBody() {
            @Override
            public long contentLength() {
                return bytes.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes);
            }

            @Override
            public boolean isReplayable() {
                return true;
            }
        };
    }
}
