package io.poolclient.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ceiling: keep-alive HTTP/1.1 over plain sockets with nothing but what a GET needs. The request
 * is written pre-encoded in one call; the response is parsed only as far as the status code and
 * {@code Content-Length}, and the body bytes are read and dropped. Connections are kept in a bounded
 * queue, at most {@code maxConnections} of them (the same cap the pooled contenders get), opened on
 * demand. Thread-safe; each connection is used by one thread at a time.
 */
public final class RawClient implements Contender {

    private final InetSocketAddress address;
    private final int maxConnections;
    private final ArrayBlockingQueue<Connection> idle;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Connection> all = ConcurrentHashMap.newKeySet();

    public RawClient(String host, int port, int maxConnections) {
        this.address = new InetSocketAddress(host, port);
        this.maxConnections = maxConnections;
        this.idle = new ArrayBlockingQueue<>(maxConnections);
    }

    @Override
    public String id() {
        return "raw";
    }

    @Override
    public String description() {
        return "raw sockets: pre-encoded request, status + Content-Length parse only, bounded queue of connections (ceiling)";
    }

    @Override
    public int get(Target target) throws IOException, InterruptedException {
        Connection c = idle.poll();
        if (c == null) {
            if (open.incrementAndGet() <= maxConnections) {
                try {
                    c = new Connection(address);
                    all.add(c);
                }
                catch (IOException e) {
                    open.decrementAndGet();
                    throw e;
                }
            }
            else {
                open.decrementAndGet();
                c = idle.poll(30, TimeUnit.SECONDS);
                if (c == null) {
                    throw new IOException("no raw connection free within 30 s");
                }
            }
        }
        boolean ok = false;
        try {
            int n = c.exchange(target.rawRequest());
            ok = true;
            return n;
        }
        finally {
            if (ok) {
                idle.offer(c);
            }
            else {
                c.close();
                all.remove(c);
                open.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        all.forEach(Connection::close);
        all.clear();
        idle.clear();
    }

    /** One keep-alive socket and its read buffer. */
    static final class Connection {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final ResponseReader reader;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 10_000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            reader = new ResponseReader(in);
        }

        int exchange(byte[] request) throws IOException {
            out.write(request);
            return reader.read();
        }

        void close() {
            try {
                socket.close();
            }
            catch (IOException ignored) {
                // best effort
            }
        }
    }

    /**
     * Reads one {@code 200} response framed by {@code Content-Length} from a stream, keeping any bytes
     * past it for the next response. Package-private for its unit test.
     */
    static final class ResponseReader {

        private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int start;
        private int end;

        ResponseReader(InputStream in) {
            this.in = in;
        }

        /** Returns the body length; the body itself is consumed and dropped. */
        int read() throws IOException {
            int from = start;
            int headerEnd;
            while ((headerEnd = headerEnd(from)) < 0) {
                int scanned = end - start; // fill() may move the data, never relative to start
                fill();
                from = Math.max(start, start + scanned - 3);
            }
            if (end - start < 12 || buf[start + 9] != '2' || buf[start + 10] != '0' || buf[start + 11] != '0') {
                throw new IOException("not a 200 response: "
                        + new String(buf, start, Math.min(40, end - start), java.nio.charset.StandardCharsets.US_ASCII));
            }
            long length = contentLength(start, headerEnd);
            if (length < 0) {
                throw new IOException("response without Content-Length");
            }
            start = headerEnd + 4;
            long remaining = length;
            int buffered = end - start;
            if (buffered >= remaining) {
                start += (int) remaining;
            }
            else {
                remaining -= buffered;
                start = 0;
                end = 0;
                while (remaining > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                    if (n < 0) {
                        throw new EOFException("connection closed inside the body");
                    }
                    remaining -= n;
                }
            }
            if (start == end) {
                start = 0;
                end = 0;
            }
            return (int) length;
        }

        private int headerEnd(int from) {
            for (int i = from; i + 3 < end; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private void fill() throws IOException {
            if (end == buf.length) {
                if (start == 0) {
                    throw new IOException("response header larger than " + buf.length + " bytes");
                }
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                throw new EOFException("connection closed before the response header ended");
            }
            end += n;
        }

        private long contentLength(int from, int to) {
            for (int line = from; line < to; ) {
                if (matchesIgnoreCase(line, to)) {
                    long v = 0;
                    int i = line + CONTENT_LENGTH.length;
                    while (i < to && buf[i] == ' ') {
                        i++;
                    }
                    while (i < to && buf[i] >= '0' && buf[i] <= '9') {
                        v = v * 10 + (buf[i++] - '0');
                    }
                    return v;
                }
                int next = line;
                while (next < to && buf[next] != '\n') {
                    next++;
                }
                line = next + 1;
            }
            return -1;
        }

        private boolean matchesIgnoreCase(int at, int limit) {
            if (at + CONTENT_LENGTH.length > limit) {
                return false;
            }
            for (int i = 0; i < CONTENT_LENGTH.length; i++) {
                int c = buf[at + i];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != CONTENT_LENGTH[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
