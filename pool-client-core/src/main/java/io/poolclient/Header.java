package io.poolclient;

/**
 * One header line of a request or response, in the order it was given or received.
 *
 * @param name the header name as written
 * @param value the header value
 */
public record Header(String name, String value) {
}
