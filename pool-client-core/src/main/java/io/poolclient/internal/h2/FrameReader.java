package io.poolclient.internal.h2;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Reads frames from the connection's input. Used by the connection's reader thread only.
 *
 * <p>A socket read timeout is not an error here: the reader thread waits for frames as long as the
 * connection is open, so a timed-out read is simply repeated (keeping the bytes already read) until
 * {@code stop} says the connection was closed.
 */
final class FrameReader {

    private final InputStream in;
    private final byte[] header = new byte[Frame.HEADER_LENGTH];
    private final BooleanSupplier stop;

    FrameReader(InputStream in, BooleanSupplier stop) {
        this.in = in;
        this.stop = stop;
    }

    /**
     * The next frame.
     *
     * @throws EOFException when the peer closed the connection (before or inside a frame)
     * @throws H2ConnectionException {@code FRAME_SIZE_ERROR} when the frame is larger than {@code maxFrameSize}
     */
    Frame read(int maxFrameSize, String peer) throws IOException {
        readFully(header, 0, Frame.HEADER_LENGTH);
        int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
        int type = header[3] & 0xff;
        int flags = header[4] & 0xff;
        int streamId = Frame.int32(header, 5) & 0x7fffffff;
        if (length > maxFrameSize) {
            throw new H2ConnectionException(peer + " sent a " + Frame.typeName(type) + " frame of " + length
                    + " bytes, more than the maximum frame size " + maxFrameSize + " (FRAME_SIZE_ERROR)", 0x6, null);
        }
        byte[] payload = new byte[length];
        readFully(payload, 0, length);
        return new Frame(type, flags, streamId, payload);
    }

    private void readFully(byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n;
            try {
                n = in.read(b, off + done, len - done);
            } catch (SocketTimeoutException idle) {
                if (stop.getAsBoolean()) {
                    throw idle;
                }
                continue;
            }
            if (n < 0) {
                throw new EOFException(done == 0 && off == 0 ? "end of stream" : "end of stream inside a frame");
            }
            done += n;
        }
    }
}
