/**
 * The urllib3-style retry policy: an immutable {@link io.poolclient.retry.Retry} whose
 * {@code increment} returns the policy with one attempt used.
 *
 * <p>Nothing here is {@code null} unless marked {@code @Nullable}.
 */
@NullMarked
package io.poolclient.retry;

import org.jspecify.annotations.NullMarked;
