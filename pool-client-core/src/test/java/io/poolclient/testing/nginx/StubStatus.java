package io.poolclient.testing.nginx;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One reading of nginx's {@code stub_status}; every number includes the probe connection itself. */
public record StubStatus(long active, long accepts, long handled, long requests, long reading, long writing,
        long waiting) {

    private static final Pattern BODY = Pattern.compile(
            "Active connections:\\s*(\\d+)\\s+server accepts handled requests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)"
                    + "\\s+Reading:\\s*(\\d+)\\s+Writing:\\s*(\\d+)\\s+Waiting:\\s*(\\d+)");

    /** Parses a whole HTTP response (status line, headers, body) to a {@code stub_status} request. */
    static StubStatus parse(String response) throws IOException {
        if (!response.startsWith("HTTP/1.1 200") && !response.startsWith("HTTP/1.0 200")) {
            throw new IOException("unexpected stub_status response: " + firstLine(response));
        }
        Matcher m = BODY.matcher(response);
        if (!m.find()) {
            throw new IOException("cannot parse stub_status response: " + response);
        }
        return new StubStatus(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                Long.parseLong(m.group(7)));
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\r');
        return end < 0 ? text : text.substring(0, end);
    }
}
