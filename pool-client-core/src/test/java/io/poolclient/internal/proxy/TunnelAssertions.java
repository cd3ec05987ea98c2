package io.poolclient.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Checks that a tunnel to an {@link EchoOrigin} carries bytes both ways, reading with a bounded timeout. */
final class TunnelAssertions {

    private static final int READ_TIMEOUT_MS = 10_000;

    private TunnelAssertions() {
    }

    /** The origin's greeting arrives first (nothing of it was consumed by the handshake), then an echo. */
    static void assertEchoes(Socket tunnel, String message) throws IOException {
        tunnel.setSoTimeout(READ_TIMEOUT_MS);
        assertThat(readLine(tunnel.getInputStream())).isEqualTo(EchoOrigin.GREETING.strip());
        tunnel.getOutputStream().write((message + "\n").getBytes(StandardCharsets.UTF_8));
        tunnel.getOutputStream().flush();
        assertThat(readLine(tunnel.getInputStream())).isEqualTo(message);
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
            if (line.size() > 64 * 1024) {
                throw new IOException("line too long");
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
