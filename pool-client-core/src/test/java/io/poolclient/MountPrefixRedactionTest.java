package io.poolclient;

import io.poolclient.internal.MountPrefix;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A prefix that fails validation is echoed in the error with its user-info masked. */
class MountPrefixRedactionTest {

    @Test
    void invalidPrefixesNeverEchoCredentials() {
        for (String prefix : new String[] {"ftp://alice:s3cret@files.example/", "http://alice:s3cret@bad host/",
                "http://alice:s3cret@/nohost", "https://alice:s3cret@h.example/?q=1"}) {
            assertThatThrownBy(() -> MountPrefix.parse("pool-client.mounts.m.prefix", prefix))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("pool-client.mounts.m.prefix")
                    .hasMessageNotContaining("s3cret");
        }
    }
}
