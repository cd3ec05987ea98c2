package io.poolclient;

import java.util.Objects;

/**
 * One header line of a request or response, in the order it was given or received.
 *
 * @param name the header name as written
 * @param value the header value; {@code null} is taken as the empty value (a header Spring was given
 *     with a {@code null} value is sent empty, as Spring's other request factories send it)
 */
public record Header(String name, String value) {

    public Header {
        Objects.requireNonNull(name, "name");
        value = value == null ? "" : value;
    }
}
