package io.poolclient;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP request for {@link PoolClient#execute}: method, absolute {@code http}/{@code https} URI,
 * headers in order, optional body. Immutable apart from the body's own state.
 *
 * @param method the method, upper case ({@code PATCH} and extension methods included)
 * @param uri absolute URI; user-info in it is never logged, shown or sent
 * @param headers headers in order; {@code Host}, framing and (with decompression) {@code Accept-Encoding} are added
 * @param body the body, or {@code null}
 */
public record Request(String method, URI uri, List<Header> headers, @Nullable RequestBody body) {

    public Request {
        method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
        Objects.requireNonNull(uri, "uri");
        headers = List.copyOf(headers);
    }

    /** A GET without headers. */
    public static Request get(URI uri) {
        return new Request("GET", uri, List.of(), null);
    }

    /** The first value of a header (case-insensitive), or {@code null}. */
    public @Nullable String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }
}
