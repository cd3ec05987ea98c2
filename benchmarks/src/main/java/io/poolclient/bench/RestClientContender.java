package io.poolclient.bench;

import java.net.URI;
import org.springframework.web.client.RestClient;

/**
 * A contender that sends through Spring's {@link RestClient}: its id, description and closing are
 * here; how a body is read is the subclass's {@link #get}. As thread-safe as {@code RestClient}: any
 * number of threads may call {@link #get} at once; {@link #close()} is called once, after them.
 */
abstract class RestClientContender implements Contender {

    /** What to do on close; may throw, which is ignored. */
    interface Closer {
        void close() throws Exception;
    }

    private final String id;
    private final String description;
    private final RestClient rest;
    private final Closer closer;

    RestClientContender(String id, String description, RestClient rest, Closer closer) {
        this.id = id;
        this.description = description;
        this.rest = rest;
        this.closer = closer;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String description() {
        return description;
    }

    /** The client every GET goes through. */
    final RestClient rest() {
        return rest;
    }

    /** One GET of {@code uri}, the body read as {@code byte[]}; returns its length. */
    final int getBytes(URI uri) {
        byte[] body = rest.get().uri(uri).retrieve().body(byte[].class);
        return body == null ? 0 : body.length;
    }

    @Override
    public final void close() {
        try {
            closer.close();
        }
        catch (Exception ignored) {
            // best effort
        }
    }
}
