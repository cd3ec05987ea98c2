package io.poolclient.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Decodes a {@code gzip} or {@code deflate} body lazily (no read happens until the caller reads),
 * and when the decoder reaches its end closes the raw stream so that the connection goes back to
 * the pool without waiting for the caller's close. {@code deflate} accepts both the zlib-wrapped
 * form the RFC means and the raw form some servers send, as requests does. One thread.
 */
final class DecodingStream extends ArrayReadInputStream {

    private final ResponseBodyStream raw;
    private final boolean gzip;
    private InputStream decoder;

    DecodingStream(ResponseBodyStream raw, boolean gzip) {
        this.raw = raw;
        this.gzip = gzip;
    }

    private InputStream decoder() throws IOException {
        if (decoder == null) {
            if (gzip) {
                decoder = new GZIPInputStream(raw, 8192);
            }
            else {
                PushbackInputStream in = new PushbackInputStream(raw, 2);
                int b0 = in.read();
                int b1 = b0 < 0 ? -1 : in.read();
                if (b1 >= 0) {
                    in.unread(b1);
                }
                if (b0 >= 0) {
                    in.unread(b0);
                }
                boolean zlib = b0 >= 0 && b1 >= 0 && (b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0;
                decoder = new InflaterInputStream(in, new Inflater(!zlib), 8192);
            }
        }
        return decoder;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (raw.isDone() && decoder == null) {
            return -1;
        }
        InputStream in;
        try {
            in = decoder();
        }
        catch (java.io.EOFException empty) {
            if (raw.isDone()) {
                return -1; // an empty body carries no gzip header
            }
            throw empty;
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            raw.close();
        }
        return n;
    }

    @Override
    public void close() {
        raw.close();
    }
}
