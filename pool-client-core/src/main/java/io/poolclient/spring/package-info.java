/**
 * Spring Framework integration: a {@code ClientHttpRequestFactory} that sends
 * {@code RestClient}/{@code RestTemplate} requests through a {@link io.poolclient.PoolClient}.
 * Needs spring-web on the class path; the rest of the engine does not.
 *
 * <p>Nothing here is {@code null} unless marked {@code @Nullable}.
 */
@NullMarked
package io.poolclient.spring;

import org.jspecify.annotations.NullMarked;
