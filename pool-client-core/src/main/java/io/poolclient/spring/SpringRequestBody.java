package io.poolclient.spring;

import io.poolclient.RequestBody;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.springframework.http.StreamingHttpOutputMessage;

/**
 * A Spring body as the engine's {@link RequestBody}. A body Spring marks repeatable is written again
 * for each attempt. A one-shot body is streamed the first time while its first
 * {@link #RECORD_LIMIT} bytes are recorded; if it fit, later attempts (retries, 307/308 redirects)
 * resend the recording, otherwise it is not replayable and no resend is attempted. One thread.
 */
final class SpringRequestBody implements RequestBody {

    /** The largest one-shot body kept for resending. */
    static final int RECORD_LIMIT = 128 * 1024;

    private final StreamingHttpOutputMessage.Body body;
    private final long contentLength;
    private boolean consumed;
    private byte[] recorded;

    SpringRequestBody(StreamingHttpOutputMessage.Body body, long contentLength) {
        this.body = body;
        this.contentLength = contentLength;
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public boolean isReplayable() {
        return body.repeatable() || !consumed || recorded != null;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        if (body.repeatable()) {
            body.writeTo(out);
        }
        else if (!consumed) {
            consumed = true;
            Recorder tee = new Recorder(out);
            body.writeTo(tee);
            recorded = tee.overflow ? null : tee.copy.toByteArray();
        }
        else if (recorded != null) {
            out.write(recorded);
        }
        else {
            throw new IOException("The request body was streamed once and is larger than "
                    + RECORD_LIMIT + " bytes, so it cannot be sent again");
        }
    }

    /** Passes bytes through while keeping a copy of the first {@link #RECORD_LIMIT}. */
    private static final class Recorder extends OutputStream {
        private final OutputStream out;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private boolean overflow;

        Recorder(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            keep(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            keep(b, off, len);
        }

        private void keep(byte[] b, int off, int len) {
            if (overflow) {
                return;
            }
            if (copy.size() + len > RECORD_LIMIT) {
                overflow = true;
                copy.reset();
                return;
            }
            copy.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {
            // the connection's stream is not the body's to close
        }
    }
}
