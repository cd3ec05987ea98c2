package io.poolclient.internal.h2;

import org.apache.hc.core5.http2.H2Error;

/**
 * The connection failed as a whole: the peer sent GOAWAY with an error code, broke the protocol
 * (garbage or out-of-place frames), closed the socket, or an I/O error occurred. Every stream still
 * open on the connection fails with this (or with {@link H2UnprocessedStreamException} when the peer
 * said it never processed the stream).
 */
public class H2ConnectionException extends H2Exception {

    private static final long serialVersionUID = 1L;

    private final long errorCode;

    public H2ConnectionException(String message, long errorCode, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** The HTTP/2 error code involved ({@code 0} when the failure was not a protocol error, e.g. an I/O error). */
    public long errorCode() {
        return errorCode;
    }

    /** The registered name of an HTTP/2 error code, or its hex value. */
    static String errorName(long code) {
        H2Error error = H2Error.getByCode((int) code);
        return error != null ? error.name() : "0x" + Long.toHexString(code);
    }
}
