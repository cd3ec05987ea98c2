package io.poolclient.internal.h2;

/**
 * The stream was not processed by the peer, so sending the request again on another connection is
 * safe whatever its method: the stream's id was above the last-stream-id of the peer's GOAWAY, the
 * peer refused it ({@code RST_STREAM} with {@code REFUSED_STREAM}), or the connection stopped taking
 * streams before this one was opened.
 */
public class H2UnprocessedStreamException extends H2Exception {

    private static final long serialVersionUID = 1L;

    public H2UnprocessedStreamException(String message) {
        super(message);
    }
}
