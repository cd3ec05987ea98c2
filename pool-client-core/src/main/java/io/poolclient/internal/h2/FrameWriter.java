package io.poolclient.internal.h2;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes frames to the connection's output. Not thread-safe: the connection calls it only while
 * holding its write lock, which also orders header blocks as HPACK requires.
 */
final class FrameWriter {

    private final OutputStream out;
    private final byte[] header = new byte[Frame.HEADER_LENGTH];

    FrameWriter(OutputStream out) {
        this.out = out;
    }

    void write(int type, int flags, int streamId, byte[] payload, int off, int len) throws IOException {
        header[0] = (byte) (len >>> 16);
        header[1] = (byte) (len >>> 8);
        header[2] = (byte) len;
        header[3] = (byte) type;
        header[4] = (byte) flags;
        Frame.putInt32(header, 5, streamId & 0x7fffffff);
        out.write(header);
        if (len > 0) {
            out.write(payload, off, len);
        }
    }

    void write(int type, int flags, int streamId, byte[] payload) throws IOException {
        write(type, flags, streamId, payload, 0, payload.length);
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    void flush() throws IOException {
        out.flush();
    }
}
