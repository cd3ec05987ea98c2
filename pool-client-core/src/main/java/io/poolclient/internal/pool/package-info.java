/**
 * Connection pooling internals: the per-mount pool manager (an LRU of host pools), host pools, leases
 * and pooled connections. Not public API: may change in any release without notice. Listeners see
 * host pools only through {@link io.poolclient.HostPoolView}.
 */
package io.poolclient.internal.pool;
