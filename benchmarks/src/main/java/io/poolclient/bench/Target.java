package io.poolclient.bench;

import io.poolclient.testing.nginx.PrivateNginx;
import io.poolclient.testing.nginx.SampleContent;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One location every contender fetches: its URL, the same GET pre-encoded for the raw client, and the
 * body length a correct response has.
 *
 * @param name short name for reports ({@code 13 B}, {@code 1 KiB JSON}, {@code 64 KiB})
 * @param path the request path
 * @param uri the full URL on the benchmark's nginx
 * @param rawRequest the request bytes the raw client writes as they are
 * @param expectedLength the body length of a correct response
 */
public record Target(String name, String path, URI uri, byte[] rawRequest, int expectedLength) {

    /** The three sizes of the side-by-side run, by key: {@code small}, {@code json}, {@code big}. */
    public static Target of(PrivateNginx nginx, String key) {
        return switch (key) {
            case "small" -> of(nginx, "13 B", "/small", SampleContent.SMALL.length());
            case "json" -> of(nginx, "1 KiB JSON", "/json", SampleContent.JSON.length());
            case "big" -> of(nginx, "64 KiB", "/big", SampleContent.BIG_SIZE);
            default -> throw new IllegalArgumentException("unknown size '" + key + "' (small, json, big)");
        };
    }

    private static Target of(PrivateNginx nginx, String name, String path, int length) {
        byte[] raw = ("GET " + path + " HTTP/1.1\r\nHost: " + nginx.authority() + "\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        return new Target(name, path, nginx.uri(path), raw, length);
    }
}
