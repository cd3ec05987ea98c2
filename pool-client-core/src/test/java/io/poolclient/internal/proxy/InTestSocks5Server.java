package io.poolclient.internal.proxy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small SOCKS5 server (RFC 1928, with RFC 1929 username/password) on 127.0.0.1 for the cases a real
 * proxy cannot be configured for hermetically (dante checks user names against the system's accounts) and
 * for failure replies. It resolves domain names itself, connects to the target and relays bytes both ways.
 * It records each request ({@link #requests()}) so tests can see what the client sent.
 *
 * <p>Thread safety: one accept thread and two relay threads per connection, all daemons; {@link #close()}
 * closes the listening socket and every accepted connection, which ends all of them. The recorded lists
 * are concurrent.
 */
final class InTestSocks5Server implements AutoCloseable {

    /** What a client asked for: the address type (1 IPv4, 3 domain, 4 IPv6), host as sent, and port. */
    record Request(int addressType, String host, int port) {
    }

    private final AcceptLoop loop = new AcceptLoop("in-test-socks5");
    private final String username;
    private final String password;
    private final int forcedReply;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /**
     * @param username required user name, or {@code null} for "no authentication"
     * @param password required password when {@code username} is set
     * @param forcedReply 0 to connect for real, else the reply code sent instead of connecting
     */
    InTestSocks5Server(String username, String password, int forcedReply) {
        this.username = username;
        this.password = password;
        this.forcedReply = forcedReply;
        loop.start(this::handle);
    }

    int port() {
        return loop.port();
    }

    List<Request> requests() {
        return requests;
    }

    int accepted() {
        return loop.accepted();
    }

    private void handle(Socket client) {
        try {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                client.close();
                return;
            }
            byte[] methods = new byte[in.readUnsignedByte()];
            in.readFully(methods);
            int wanted = username == null ? 0 : 2;
            boolean offered = false;
            for (byte m : methods) {
                offered |= m == wanted;
            }
            if (!offered) {
                out.write(new byte[] {5, (byte) 0xff});
                out.flush();
                client.close();
                return;
            }
            out.write(new byte[] {5, (byte) wanted});
            out.flush();
            if (username != null) {
                in.readUnsignedByte(); // sub-negotiation version 1
                String user = readString(in, in.readUnsignedByte());
                String pass = readString(in, in.readUnsignedByte());
                boolean ok = username.equals(user) && password.equals(pass);
                out.write(new byte[] {1, (byte) (ok ? 0 : 1)});
                out.flush();
                if (!ok) {
                    client.close();
                    return;
                }
            }
            in.readUnsignedByte(); // version
            in.readUnsignedByte(); // command: CONNECT
            in.readUnsignedByte(); // reserved
            int type = in.readUnsignedByte();
            String host;
            if (type == 3) {
                host = readString(in, in.readUnsignedByte());
            } else {
                byte[] address = new byte[type == 1 ? 4 : 16];
                in.readFully(address);
                host = InetAddress.getByAddress(address).getHostAddress();
            }
            int port = in.readUnsignedShort();
            requests.add(new Request(type, host, port));
            if (forcedReply != 0) {
                out.write(new byte[] {5, (byte) forcedReply, 0, 1, 0, 0, 0, 0, 0, 0});
                out.flush();
                client.close();
                return;
            }
            Socket upstream = new Socket();
            loop.track(upstream);
            try {
                upstream.connect(new InetSocketAddress(host, port), 5_000);
            } catch (IOException e) {
                out.write(new byte[] {5, 5, 0, 1, 0, 0, 0, 0, 0, 0});
                out.flush();
                client.close();
                return;
            }
            // bound address as a domain name, to exercise the variable-length reply
            byte[] bound = "bound.test".getBytes(StandardCharsets.US_ASCII);
            out.write(new byte[] {5, 0, 0, 3, (byte) bound.length});
            out.write(bound);
            out.write(new byte[] {0x04, 0x38});
            out.flush();
            Thread back = new Thread(() -> relay(upstream, client), "in-test-socks5-relay");
            back.setDaemon(true);
            back.start();
            relay(client, upstream);
        } catch (IOException e) {
            // client went away or the server closed: nothing to report
        }
    }

    private static String readString(DataInputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void relay(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
