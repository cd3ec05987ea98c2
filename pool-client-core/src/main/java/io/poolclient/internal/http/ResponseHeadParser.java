package io.poolclient.internal.http;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicLineParser;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * Reads a response head, the status line and its header lines, with the limits of an
 * {@link Http1Config} (empty lines before the status line, header count, line length with folded
 * continuation lines), the way httpcore5's own parser does, but through two line buffers reused for
 * every response: each header is made at once with its name and value as strings, instead of keeping
 * a buffer per header line for lazy parsing. One per connection; used by the thread that holds the
 * connection's lease.
 */
final class ResponseHeadParser extends DefaultHttpResponseParser {

    private final Http1Config config;
    private final CharArrayBuffer line = new CharArrayBuffer(128);
    private final CharArrayBuffer pending = new CharArrayBuffer(128);

    ResponseHeadParser(Http1Config config) {
        super(config);
        this.config = config;
    }

    @Override
    public ClassicHttpResponse parse(SessionInputBuffer buffer, InputStream in) throws IOException, HttpException {
        ClassicHttpResponse response = null;
        for (int n = 0; n < config.getMaxEmptyLineCount() && response == null; n++) {
            line.clear();
            if (buffer.readLine(line, in) == -1) {
                return null; // closed before a response began: the connection reports no response
            }
            if (line.length() > 0) {
                response = createMessage(line);
            }
        }
        if (response == null) {
            throw new MessageConstraintException("Maximum empty line limit exceeded");
        }
        int maxCount = config.getMaxHeaderCount();
        int maxLine = config.getMaxLineLength();
        int count = 0;
        pending.clear();
        for (;;) {
            line.clear();
            if (buffer.readLine(line, in) == -1 || line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !pending.isEmpty()) {
                // a folded continuation: joined to the header line before it with one space
                int i = 0;
                while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                    i++;
                }
                if (maxLine > 0 && pending.length() + 1 + line.length() - i > maxLine) {
                    throw new MessageConstraintException("Maximum line length limit exceeded");
                }
                pending.append(' ');
                pending.append(line, i, line.length() - i);
            }
            else {
                if (!pending.isEmpty()) {
                    response.addHeader(header(pending));
                }
                pending.clear();
                pending.append(line);
                count++;
            }
            if (maxCount > 0 && count >= maxCount) {
                throw new MessageConstraintException("Maximum header count exceeded");
            }
        }
        if (!pending.isEmpty()) {
            response.addHeader(header(pending));
        }
        return response;
    }

    /**
     * The header of one (unfolded) line: a name without blanks or controls before the colon is taken as
     * it is, the value trimmed; any other line is parsed, or refused, by httpcore5's own line parser.
     */
    private static Header header(CharArrayBuffer line) throws ParseException {
        int colon = line.indexOf(':');
        if (colon > 0) {
            boolean plain = true;
            for (int i = 0; i < colon && plain; i++) {
                plain = line.charAt(i) > ' ';
            }
            if (plain) {
                return new BasicHeader(line.substring(0, colon), line.substringTrimmed(colon + 1, line.length()));
            }
        }
        return BasicLineParser.INSTANCE.parseHeader(line);
    }
}
