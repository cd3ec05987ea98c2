package io.poolclient.internal.h2;

/**
 * The peer reset one stream ({@code RST_STREAM}) with an error code other than {@code REFUSED_STREAM};
 * only that stream failed, the connection stays usable.
 */
public class H2StreamResetException extends H2Exception {

    private static final long serialVersionUID = 1L;

    private final long errorCode;

    public H2StreamResetException(String message, long errorCode) {
        super(message);
        this.errorCode = errorCode;
    }

    /** The error code of the {@code RST_STREAM} frame. */
    public long errorCode() {
        return errorCode;
    }
}
