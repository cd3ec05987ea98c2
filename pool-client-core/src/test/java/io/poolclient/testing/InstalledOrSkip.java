package io.poolclient.testing;

import java.nio.file.Path;
import org.opentest4j.TestAbortedException;

/**
 * A server binary for a test that needs it: its path when it is installed; else the test is skipped, unless
 * the test run requires the server (an environment variable set to {@code 1}, as CI does), when it fails.
 * Apart from {@link ServerBinary} because the benchmarks use that one without JUnit on their class path.
 * Stateless.
 */
public final class InstalledOrSkip {

    private InstalledOrSkip() {
    }

    /**
     * @param requireEnv the environment variable that turns "missing" from a skipped test into a failure
     * @throws TestAbortedException if {@code binary} is not installed and {@code requireEnv} is not {@code 1}
     * @throws IllegalStateException if {@code binary} is not installed and {@code requireEnv} is {@code 1}
     */
    public static Path path(ServerBinary binary, String requireEnv) {
        if (binary.isInstalled()) {
            return binary.path();
        }
        if ("1".equals(System.getenv(requireEnv))) {
            throw new IllegalStateException(binary.notFoundMessage() + "; it is required because " + requireEnv + "=1");
        }
        throw new TestAbortedException(binary.notFoundMessage() + "; skipping (set " + requireEnv + "=1 to fail instead)");
    }
}
