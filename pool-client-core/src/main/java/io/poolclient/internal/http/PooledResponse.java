package io.poolclient.internal.http;

import io.poolclient.Header;
import io.poolclient.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** A {@link Response} over a leased connection; its body stream ends the lease. One thread. */
final class PooledResponse implements Response {

    private final int status;
    private final String reason;
    private final List<Header> headers;
    private final InputStream body;
    private final String mount;

    PooledResponse(int status, String reason, List<Header> headers, InputStream body, String mount) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
        this.mount = mount;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public List<Header> headers() {
        return headers;
    }

    @Override
    public InputStream body() {
        return body;
    }

    @Override
    public String mount() {
        return mount;
    }

    @Override
    public void close() {
        try {
            body.close();
        }
        catch (IOException ignored) {
            // the body stream never throws on close
        }
    }

    @Override
    public String toString() {
        return "Response[" + status + " " + reason + " via " + mount + "]";
    }
}
