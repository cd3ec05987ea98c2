package io.poolclient.internal.pool;

/** Why a connection was closed, counted per host pool (the {@code closed} counter's breakdown). */
public enum CloseReason {
    /** The server had closed it (or sent stray bytes) while idle: found by the stale check. */
    STALE,
    /** Idle for longer than {@code idle-timeout}, or past the server's {@code Keep-Alive: timeout=}. */
    IDLE_TIMEOUT,
    /** Older than {@code max-lifetime}. */
    MAX_LIFETIME,
    /** The response said {@code Connection: close}, was HTTP/1.0 without keep-alive, or was not fully framed. */
    NOT_REUSABLE,
    /** The exchange failed (I/O error, timeout, malformed response) or the caller closed the body early. */
    ERROR,
    /** Its pool was evicted from the mount's LRU or dropped through the endpoint. */
    POOL_RETIRED,
    /** The pool client was closed. */
    SHUTDOWN,
    /** A leaked lease was reclaimed. */
    LEAKED,
    /**
     * Closed to make room in a full blocking pool for the new connection that the transparent retry
     * of a request needs after a reused connection died.
     */
    REPLACED,
    /** An HTTP/2 connection closed after the server's {@code GOAWAY}, once its last stream ended. */
    GOAWAY
}
