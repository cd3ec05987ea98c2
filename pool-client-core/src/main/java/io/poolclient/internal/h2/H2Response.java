package io.poolclient.internal.h2;

import io.poolclient.Header;
import java.util.List;

/**
 * The final response head of one stream: the {@code :status} and the regular header fields in the
 * order received (names lower-case, as HTTP/2 sends them; pseudo-headers removed).
 */
public record H2Response(int status, List<Header> headers) {

    public H2Response {
        headers = List.copyOf(headers);
    }

    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }
}
