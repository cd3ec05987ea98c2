/**
 * Connection pooling internals: the per-mount pool manager (an LRU of host pools), host pools, leases
 * and pooled connections. A host pool is policy; the idle stack, leased list, waiter queue, slots and
 * counters it keeps under its lock are mechanism, each in its own class. Not public API: may change
 * in any release without notice. Listeners see host pools only through
 * {@link io.poolclient.HostPoolView}.
 */
package io.poolclient.internal.pool;
