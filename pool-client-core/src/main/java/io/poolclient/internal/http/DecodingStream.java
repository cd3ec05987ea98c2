package io.poolclient.internal.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Decodes a {@code gzip} or {@code deflate} body lazily (no read happens until the caller reads).
 * When the decoder reaches its end, or the caller closes the stream, it ends the decoder's
 * {@link Inflater} (freeing its native memory at once rather than when collected) and closes the raw
 * stream, so that the connection goes back to the pool without waiting for the caller's close.
 * {@code deflate} accepts both the zlib-wrapped form the RFC means and the raw form some servers
 * send, as requests does. After that end every read returns -1. One thread.
 */
final class DecodingStream extends ArrayReadInputStream {

    private final InputStream raw;
    private final BooleanSupplier rawDone;
    private final boolean gzip;
    private InputStream decoder;
    private Inflater inflater;
    private boolean finished;

    DecodingStream(ResponseBodyStream raw, boolean gzip) {
        this(raw, raw::isDone, gzip);
    }

    /**
     * @param raw the body as received; its close must not throw and must end the lease
     * @param rawDone whether the raw body has ended (read to its end, or closed)
     */
    DecodingStream(InputStream raw, BooleanSupplier rawDone, boolean gzip) {
        this.raw = raw;
        this.rawDone = rawDone;
        this.gzip = gzip;
    }

    private InputStream decoder() throws IOException {
        if (decoder == null) {
            if (gzip) {
                Gunzip gunzip = new Gunzip(raw);
                inflater = gunzip.inflater();
                decoder = gunzip;
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
                inflater = new Inflater(!zlib);
                decoder = new InflaterInputStream(in, inflater, 8192);
            }
        }
        return decoder;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (finished || (rawDone.getAsBoolean() && decoder == null)) {
            return -1;
        }
        InputStream in;
        try {
            in = decoder();
        }
        catch (EOFException empty) {
            if (rawDone.getAsBoolean()) {
                return -1; // an empty body carries no gzip header
            }
            throw empty;
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            close();
        }
        return n;
    }

    /** Ends the inflater and closes the raw body (which saves the connection if it can); idempotent. */
    @Override
    public void close() {
        finished = true;
        if (inflater != null) {
            inflater.end();
        }
        try {
            raw.close();
        }
        catch (IOException ignored) {
            // the raw bodies never throw on close
        }
    }

    /** The decoder's inflater, or {@code null} before the first read. */
    Inflater inflater() {
        return inflater;
    }

    /** {@link GZIPInputStream} that lets us reach the inflater it made for itself. */
    private static final class Gunzip extends GZIPInputStream {
        Gunzip(InputStream in) throws IOException {
            super(in, 8192);
        }

        Inflater inflater() {
            return inf;
        }
    }
}
