package io.poolclient.internal.pool;

import io.poolclient.HostPoolView;
import io.poolclient.MountSettings;
import io.poolclient.PoolSnapshot;

/**
 * What listeners see of a {@link HostPool}: identity, settings and {@link HostPool#snapshot()},
 * nothing that changes it. One per pool for the pool's whole life; immutable apart from the
 * snapshot, so any thread may use it.
 */
final class PoolView implements HostPoolView {

    private final HostPool pool;

    PoolView(HostPool pool) {
        this.pool = pool;
    }

    @Override
    public String mount() {
        return pool.mount();
    }

    @Override
    public String scheme() {
        return pool.key().scheme();
    }

    @Override
    public String host() {
        return pool.key().uriHost();
    }

    @Override
    public int port() {
        return pool.key().port();
    }

    @Override
    public String hostPort() {
        return pool.key().hostPort();
    }

    @Override
    public MountSettings settings() {
        return pool.settings();
    }

    @Override
    public PoolSnapshot snapshot() {
        return pool.snapshot();
    }

    @Override
    public String toString() {
        return pool.toString();
    }
}
