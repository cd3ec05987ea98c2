package io.poolclient.testing.squid;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where squid and its basic-auth helper are: {@code $POOLCLIENT_SQUID}, else {@code /usr/sbin/squid}; the
 * helper {@code basic_ncsa_auth} in {@code /usr/lib/squid} (Debian's layout).
 */
public final class SquidBinary {

    /** Environment variable that overrides the squid binary. */
    public static final String ENV = "POOLCLIENT_SQUID";
    public static final String DEFAULT = "/usr/sbin/squid";
    public static final Path NCSA_AUTH = Path.of("/usr/lib/squid/basic_ncsa_auth");

    private SquidBinary() {
    }

    /** The configured binary, whether or not it exists. */
    public static Path path() {
        String configured = System.getenv(ENV);
        return Path.of(configured == null || configured.isBlank() ? DEFAULT : configured);
    }

    /** Whether squid and its basic-auth helper are both installed. */
    public static boolean isInstalled() {
        return Files.isExecutable(path()) && Files.isExecutable(NCSA_AUTH);
    }

    /** Says what is missing and how to get it; callers add what they do about it. */
    public static String notFoundMessage() {
        return "squid not found at " + path() + " (or " + NCSA_AUTH + " missing; install it: apt-get install squid; "
                + "or set " + ENV + ")";
    }
}
