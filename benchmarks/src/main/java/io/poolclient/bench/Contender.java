package io.poolclient.bench;

/**
 * One HTTP client under test. {@link #get} performs one complete GET (the body read to the end, the
 * connection back in its pool) and may be called from many threads at once.
 */
public interface Contender extends AutoCloseable {

    /** Short id used in tables and on the command line: {@code pool-client}, {@code hc5}, ... */
    String id();

    /** What it is, for the report's legend. */
    String description();

    /** One GET of {@code target}; returns the body length received. */
    int get(Target target) throws Exception;

    /** Releases the client's threads and connections; never throws. */
    @Override
    void close();
}
