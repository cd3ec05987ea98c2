package io.poolclient;

import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The TLS material of a mount: an {@link SSLContext} plus optional protocol and cipher
 * restrictions, under a name that is shown in the endpoint (a Spring Boot SSL bundle name, say).
 * Host pools are keyed by it, so connections made with different TLS material never mix.
 *
 * @param name shown in snapshots; never secret
 * @param context the context whose socket factory opens the connections
 * @param protocols enabled protocols, or {@code null} for the context's defaults
 * @param ciphers enabled cipher suites, or {@code null} for the context's defaults
 */
public record TlsConfig(String name, SSLContext context, String @Nullable [] protocols, String @Nullable [] ciphers) {

    public TlsConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(context, "context");
        protocols = protocols == null ? null : protocols.clone();
        ciphers = ciphers == null ? null : ciphers.clone();
    }

    /** A TLS config with the context's default protocols and ciphers. */
    public static TlsConfig of(String name, SSLContext context) {
        return new TlsConfig(name, context, null, null);
    }

    @Override
    public String @Nullable [] protocols() {
        return protocols == null ? null : protocols.clone();
    }

    @Override
    public String @Nullable [] ciphers() {
        return ciphers == null ? null : ciphers.clone();
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof TlsConfig that && name.equals(that.name) && context == that.context
                && Arrays.equals(protocols, that.protocols) && Arrays.equals(ciphers, that.ciphers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, System.identityHashCode(context), Arrays.hashCode(protocols), Arrays.hashCode(ciphers));
    }

    @Override
    public String toString() {
        return name;
    }
}
