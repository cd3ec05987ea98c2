package io.poolclient.testing.dante;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where dante's server is: {@code $POOLCLIENT_DANTED}, else {@code /usr/sbin/danted} (Debian's dante-server). */
public final class DanteBinary {

    /** Environment variable that overrides the danted binary. */
    public static final String ENV = "POOLCLIENT_DANTED";
    public static final String DEFAULT = "/usr/sbin/danted";

    private DanteBinary() {
    }

    /** The configured binary, whether or not it exists. */
    public static Path path() {
        String configured = System.getenv(ENV);
        return Path.of(configured == null || configured.isBlank() ? DEFAULT : configured);
    }

    public static boolean isInstalled() {
        return Files.isExecutable(path());
    }

    /** Says which binary is missing and how to get one; callers add what they do about it. */
    public static String notFoundMessage() {
        return "danted not found at " + path() + " (install it: apt-get install dante-server; or set " + ENV + ")";
    }
}
