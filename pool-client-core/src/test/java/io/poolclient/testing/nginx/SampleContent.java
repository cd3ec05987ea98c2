package io.poolclient.testing.nginx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bodies every private site serves and the locations that serve them, all deterministic:
 * <ul>
 *   <li>{@code /small}: 200, {@value #SMALL} (13 bytes, {@code text/plain}, a {@code return});</li>
 *   <li>{@code /json}: 200, {@link #JSON} (exactly 1024 bytes, {@code application/json}, a static file);</li>
 *   <li>{@code /big}: 200, {@link #big()} (65536 bytes, {@code application/octet-stream}, a static file);</li>
 *   <li>{@code /status}: {@code stub_status}.</li>
 * </ul>
 * All length-delimited ({@code Content-Length}).
 */
public final class SampleContent {

    public static final String SMALL = "Hello, world!";
    public static final String JSON = json(1024);
    public static final int BIG_SIZE = 65536;
    /** The body of an echo location ({@link #echoLocation}). */
    public static final String ECHO = "echo: request body discarded\n";

    /** The {@code location} blocks for a {@code server} block serving the files {@link #writeTo} writes. */
    public static final String LOCATIONS = """
            location = /small { default_type text/plain; return 200 "%s"; }
            location = /json { default_type application/json; }
            location = /big { default_type application/octet-stream; }
            location = %s { stub_status; }
            """.formatted(SMALL, StubStatusProbe.PATH);

    private static final byte[] BIG = lines("big", 64, BIG_SIZE / 64).getBytes(StandardCharsets.US_ASCII);

    private SampleContent() {
    }

    /**
     * A {@code location /echo} block (it serves everything below {@code /echo} too): any method, the request
     * body read and discarded up to {@code maxBodySize} (nginx's size syntax; {@code 0}: no limit), 200 with
     * {@link #ECHO} as {@code text/plain}.
     */
    public static String echoLocation(String maxBodySize) {
        return """
                location /echo {
                    client_max_body_size %s;
                    default_type text/plain;
                    return 200 "%s";
                }
                """.formatted(maxBodySize, ECHO.replace("\n", "\\n"));
    }

    /** The body of {@code /big} (a fresh copy). */
    public static byte[] big() {
        return BIG.clone();
    }

    /** Writes the static files into a document root. */
    public static void writeTo(Path root) throws IOException {
        Files.writeString(root.resolve("json"), JSON, StandardCharsets.US_ASCII);
        Files.write(root.resolve("big"), BIG);
    }

    /** {@code count} lines of exactly {@code width} bytes, each naming its own byte offset. */
    public static String lines(String label, int width, int count) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder out = new StringBuilder(width * count);
        for (int line = 0; line < count; line++) {
            StringBuilder text = new StringBuilder(label).append(' ')
                    .append(String.format("%08x", line * width)).append(' ');
            for (int i = 0; text.length() < width - 1; i++) {
                text.append(alphabet.charAt((line + i) % alphabet.length()));
            }
            out.append(text).append('\n');
        }
        return out.toString();
    }

    /** JSON of exactly {@code size} bytes. */
    private static String json(int size) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; items.length() < size - 200; i++) {
            if (i > 0) {
                items.append(',');
            }
            items.append("{\"id\":").append(i).append(",\"name\":\"item-").append(i)
                    .append("\",\"active\":").append(i % 2 == 0).append('}');
        }
        String head = "{\"items\":[" + items + "],\"padding\":\"";
        String tail = "\"}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }
}
