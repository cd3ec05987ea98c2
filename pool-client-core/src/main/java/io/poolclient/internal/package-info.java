/**
 * The engine's internals: the mount table, the request executor and what they use. Not public API:
 * everything under {@code io.poolclient.internal} may change in any release without notice. Use
 * {@link io.poolclient.PoolClient} and the types of {@code io.poolclient},
 * {@code io.poolclient.retry} and {@code io.poolclient.spring} instead.
 */
package io.poolclient.internal;
