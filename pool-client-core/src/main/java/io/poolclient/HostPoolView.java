package io.poolclient;

/**
 * A read-only look at one host pool: which mount it belongs to, which host it connects to, the
 * mount's settings it was made with, and its counts now. This is what a {@link PoolListener} is
 * given; it cannot lease, return or close anything.
 *
 * <p>One view exists per host pool for the pool's whole life, so views may be used as identity keys
 * (a map from pool to its meters, say). Every method is thread-safe and cheap except
 * {@link #snapshot()}, which takes the pool's lock briefly. Implemented by the engine only: methods
 * may be added in any release.
 */
public interface HostPoolView {

    /** The name of the mount this pool belongs to. */
    String mount();

    /** {@code http} or {@code https}. */
    String scheme();

    /** The host, normalized: lower case, IPv6 in brackets. */
    String host();

    /** The port, always explicit. */
    int port();

    /** {@code host:port}, as in logs and meter tags. */
    default String hostPort() {
        return host() + ":" + port();
    }

    /** The mount's resolved settings this pool follows. */
    MountSettings settings();

    /** The pool's counts now; they add up ({@code opened = idle + leased + discarded + closed} at a quiet moment). */
    PoolSnapshot snapshot();
}
