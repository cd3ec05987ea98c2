/**
 * The private nginx launcher shared by the core tests ({@code io.poolclient.testing.NginxServer})
 * and the benchmarks, which get it from pool-client-core's test-jar (this package only). Code here
 * uses nothing but the JDK: the test-jar brings none of the core's test dependencies (JUnit,
 * AssertJ) to the benchmarks, which run these classes outside any test framework.
 */
package io.poolclient.testing.nginx;
