/**
 * The pool-client engine: {@link io.poolclient.PoolClient} with its mounts, the
 * {@link io.poolclient.MountSettings} of each mount, requests and responses, snapshots of the pools,
 * the read-only {@link io.poolclient.HostPoolView} that listeners see, and the exceptions (all
 * {@link java.io.IOException}s).
 *
 * <p>Nothing here is {@code null} unless marked {@code @Nullable}; an unset setting is {@code null}.
 */
@NullMarked
package io.poolclient;

import org.jspecify.annotations.NullMarked;
