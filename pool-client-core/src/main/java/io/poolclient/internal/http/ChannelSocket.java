package io.poolclient.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Socket} over a connected {@link SocketChannel}, in one of two modes chosen by the thread
 * that makes it. httpcore5 (and, for HTTPS, the JDK's layered {@code SSLSocket}) read and write
 * through this socket's streams; when the channel is not ready they wait for at most
 * {@link #getSoTimeout() SO_TIMEOUT}.
 *
 * <p>Made on a platform thread, the channel stays in non-blocking mode for its whole life and waits
 * on a selector of this connection's own. Why not the JDK's own socket adaptor
 * ({@code channel.socket()}) there: with a timeout set it switches the descriptor to non-blocking and
 * back around every read, four {@code fcntl} calls per read, and probing an idle connection cost four
 * more. Here a ready read is one {@code read}, a read that must wait adds one {@code epoll_wait}, and
 * {@link #probe()} is one non-blocking {@code read}. The first read of an answer tries to skip a read
 * that would find nothing (see {@link #readSoon}). A connection costs the socket's descriptor plus
 * the selector's (an {@code epoll} instance and its wake-up descriptor).
 *
 * <p>Made on a virtual thread (Java 21 and later), the socket parks: its channel stays in blocking
 * mode and reads go through the channel's socket adaptor, which on a virtual thread waits through the
 * JDK's own poller like a plain {@code java.net.Socket} (one {@code epoll_ctl} per wait, the carrier
 * freed, no selector of its own); the first read of an answer lets the other virtual threads run once
 * before it reads, while that usually finds the answer there. A read of nothing when the socket is
 * made leaves the descriptor non-blocking underneath for good, so the adaptor's timeouts and the
 * mode switches around a probe or a write cost no {@code fcntl}. Only a write that finds the send
 * buffer full waits on a selector, opened then. An interrupt that ends a parked read closes the
 * connection, which a response cut short cannot be reused for anyway. A pooled parking socket serves
 * a platform thread that leases it too (its reads then block in {@code poll}); {@link #duplex()}
 * turns it into a selector socket.
 *
 * <p>Writes have a timeout too: a write that makes no progress for {@code SO_TIMEOUT} fails with a
 * {@link SocketTimeoutException} and {@link #writeTimedOut()} turns true.
 *
 * <p>Threads: one thread at a time reads, writes or probes (the lease holder, or the pool while the
 * connection is idle), except after {@link #duplex()}, when one thread may read while another
 * writes; {@link #close()} may be called from any thread, wakes a waiting reader or
 * writer, which then fails with a {@link SocketException}, and releases the channel, the selectors
 * and their descriptors. On JDK 22 and later a virtual thread that waits on a selector here is parked
 * and its carrier freed; on JDK 21 that wait holds the carrier thread, and the JDK adds a carrier to
 * make up for it (up to its scheduler's limit, 256 by default).
 */
final class ChannelSocket extends Socket {

    private final SocketChannel channel;
    /** The wait for reads (and writes, until {@link #duplex()}); null while the socket parks. */
    private volatile Selector selector;
    private SelectionKey key;
    /** Whether waits park through the JDK's poller: made on a virtual thread, not {@link #duplex()}. */
    private boolean parks;
    /** The channel's own socket adaptor while the socket parks: its reads wait with a timeout. */
    private Socket parkingSocket;
    private InputStream parkingInput;
    /** While the socket parks: where a write waits when the send buffer is full, opened on the first such wait. */
    private volatile Selector parkedWrites;
    /** Set by {@link #duplex()}: writers wait here, so that a reader and a writer may wait at once. */
    private volatile Selector writeSelector;
    private final ChannelInput input = new ChannelInput();
    private final ChannelOutput output = new ChannelOutput();
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private volatile int timeoutMillis;
    /** Whether the last call on this socket was a write: the next read is for the answer (see {@link #readSoon}). */
    private boolean justWrote;
    private final AnswerTiming answerTiming = new AnswerTiming();
    private volatile boolean closed;
    private volatile boolean closing;
    private volatile boolean writeTimedOut;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    /**
     * @param channel a connected channel; it is switched to non-blocking mode and owned from here on
     */
    ChannelSocket(SocketChannel channel) throws IOException {
        super((SocketImpl) null);
        this.channel = channel;
        if (VirtualThreads.current()) {
            parks = true;
            parkingSocket = channel.socket();
            parkingInput = parkingSocket.getInputStream();
            // a read of nothing on a virtual thread leaves the descriptor non-blocking for good, so that
            // switching the channel's mode (for a probe or a write) costs no system call from here on
            channel.read(ByteBuffer.allocate(0));
        }
        else {
            selectOn(channel);
        }
    }

    /** Switches the channel to non-blocking mode and registers it for reads on a selector of its own. */
    private void selectOn(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        Selector reads = Selector.open();
        try {
            key = channel.register(reads, SelectionKey.OP_READ);
        }
        catch (IOException | RuntimeException e) {
            reads.close();
            throw e;
        }
        selector = reads;
    }

    /**
     * Reads without waiting: true when the peer closed the connection, reset it, or sent bytes
     * nobody asked for (which also makes the connection unusable). Called on an idle connection only.
     */
    boolean probe() {
        if (closed || !channel.isOpen()) {
            return true;
        }
        try {
            probe.clear();
            return readWithoutWaiting(probe) != 0;
        }
        catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /**
     * Takes what the channel holds and never waits: 0 when nothing is there. A parking socket's
     * channel is non-blocking for this read only (no system call: see the class comment).
     */
    private int readWithoutWaiting(ByteBuffer buffer) throws IOException {
        if (!parks) {
            return channel.read(buffer);
        }
        channel.configureBlocking(false);
        try {
            return channel.read(buffer);
        }
        finally {
            channel.configureBlocking(true);
        }
    }

    /**
     * From now on reads and writes never wait: what the channel cannot take or give at once fails.
     * Called before a TLS socket on top is closed, so that its goodbye ({@code close_notify}) to a
     * peer that stopped reading cannot hold the closing thread for {@code SO_TIMEOUT}.
     */
    void closing() {
        closing = true;
    }

    /**
     * Lets one thread read while another writes (an HTTP/2 connection's reader thread and its
     * callers): writers then wait on a selector of their own. Call once, before the socket is shared.
     */
    void duplex() throws IOException {
        if (parks) {
            selectOn(channel);
            parks = false;
        }
        Selector writes = Selector.open();
        try {
            channel.register(writes, SelectionKey.OP_WRITE);
        }
        catch (IOException | RuntimeException e) {
            writes.close();
            throw e;
        }
        writeSelector = writes;
    }

    /** True once a write failed because the peer did not read for {@code SO_TIMEOUT}. */
    boolean writeTimedOut() {
        return writeTimedOut;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        ensureOpen();
        return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureOpen();
        return output;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMillis = timeout;
        if (parks) {
            parkingSocket.setSoTimeout(timeout);
        }
    }

    @Override
    public int getSoTimeout() {
        return timeoutMillis;
    }

    /**
     * Waits until the channel is ready for {@code op}, at most {@code SO_TIMEOUT} (0: no limit).
     *
     * @throws SocketTimeoutException when the time is up; the connection is then unusable
     * @throws SocketException when the socket was closed meanwhile
     */
    private void await(int op, String what) throws IOException {
        if (closing) {
            throw new SocketException("Socket is closing: " + what.toLowerCase(Locale.ROOT) + " not waited for");
        }
        Selector writes = writeSelector;
        if (writes != null && op == SelectionKey.OP_WRITE) {
            awaitOn(writes, op, what);
            return;
        }
        if (parks) {
            awaitParkedWrite();
            return;
        }
        try {
            if (key.interestOps() != op) {
                key.interestOps(op);
            }
        }
        catch (CancelledKeyException e) {
            throw new SocketException("Socket closed");
        }
        awaitOn(selector, op, what);
    }

    /**
     * While the socket parks, its channel is non-blocking only for the length of a write: a write that
     * finds the send buffer full waits on a selector registered for this write only (see
     * {@link #endParkedWrite()}).
     */
    private void awaitParkedWrite() throws IOException {
        Selector waits = parkedWrites;
        try {
            if (waits == null) {
                waits = Selector.open();
                parkedWrites = waits;
                if (closed) {
                    waits.close();
                    throw new SocketException("Socket closed");
                }
            }
            if (channel.keyFor(waits) == null) {
                channel.register(waits, SelectionKey.OP_WRITE);
            }
        }
        catch (ClosedChannelException | ClosedSelectorException | CancelledKeyException e) {
            throw new SocketException("Socket closed");
        }
        awaitOn(waits, SelectionKey.OP_WRITE, "Write");
    }

    /** Ends a parking socket's write: the write's selector lets go of the channel, which blocks again. */
    private void endParkedWrite() throws IOException {
        Selector waits = parkedWrites;
        try {
            SelectionKey registered = waits == null ? null : channel.keyFor(waits);
            if (registered != null) {
                registered.cancel();
                waits.selectNow(); // deregisters: a channel with a key cannot block
            }
            channel.configureBlocking(true);
        }
        catch (ClosedChannelException | ClosedSelectorException e) {
            throw new SocketException("Socket closed");
        }
    }

    /** As {@link #await}, on a selector whose only key already waits for {@code op}. */
    private void awaitOn(Selector on, int op, String what) throws IOException {
        int timeout = timeoutMillis;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        try {
            for (;;) {
                long waitMillis = 0;
                if (timeout > 0) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        if (op == SelectionKey.OP_WRITE) {
                            writeTimedOut = true;
                        }
                        throw new SocketTimeoutException(what + " timed out");
                    }
                    waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999));
                }
                int ready = on.select(ChannelSocket::ignore, waitMillis);
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (ready > 0) {
                    return;
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException(what + " interrupted");
                }
            }
        }
        catch (ClosedSelectorException | CancelledKeyException e) {
            throw new SocketException("Socket closed");
        }
    }

    /**
     * The first read of an answer, or any read that need not wait yet. When the last call here was a
     * write, the answer may not have come back yet, and reading at once would then find nothing:
     * <ul>
     *   <li>a platform thread reads at once while that usually finds the answer (a fast server, a
     *       quiet machine); while it usually does not, it waits on the selector first and reads once
     *       ({@link AnswerTiming} keeps the guess): an {@code epoll_wait} and a {@code read}, not a
     *       {@code read} that finds nothing, the wait and the {@code read};</li>
     *   <li>a virtual thread (on a socket made on a platform thread: one made on a virtual thread
     *       parks instead, see {@code parkedRead}) lets the other virtual threads run once, reads, and
     *       when that finds nothing lets them run once more before it reads again: on a busy
     *       scheduler the answer has usually arrived by then, and the read costs no wait on the
     *       selector (which on a virtual thread is two {@code epoll_wait}s, an {@code epoll_ctl} and a
     *       hand-off through the JDK's poller thread). While that usually finds nothing (a slow
     *       server), it waits on the selector first, as a platform thread would.</li>
     * </ul>
     * A {@link #duplex()} socket reads at once (its reader has no write of its own to follow), and so
     * does one that is {@link #closing()} (it must not wait at all).
     * Returns 0 when nothing is there yet; the caller then waits as for any read.
     */
    private int readSoon(ByteBuffer buffer) throws IOException {
        boolean wrote = justWrote;
        justWrote = false;
        if (!wrote || closing || writeSelector != null) {
            return channel.read(buffer);
        }
        if (answerTiming.waitFirst()) {
            await(SelectionKey.OP_READ, "Read");
            return channel.read(buffer);
        }
        if (!VirtualThreads.current()) {
            int n = channel.read(buffer);
            answerTiming.readAtOnce(n != 0);
            return n;
        }
        Thread.yield();
        int n = channel.read(buffer);
        if (n == 0) {
            Thread.yield();
            n = channel.read(buffer);
        }
        answerTiming.readAfterYield(n != 0);
        return n;
    }

    private static void ignore(SelectionKey key) {
        // the wait only needs to know that the channel is ready
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        }
        finally {
            // wakes a waiting reader or writer; the channel's descriptor is released with the selector
            closeIfOpened(selector);
            closeIfOpened(writeSelector);
            closeIfOpened(parkedWrites);
        }
    }

    private static void closeIfOpened(Selector selector) throws IOException {
        if (selector != null) {
            selector.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public void shutdownInput() throws IOException {
        channel.shutdownInput();
        inputShutdown = true;
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
        outputShutdown = true;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        try {
            return channel.getRemoteAddress();
        }
        catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        try {
            return channel.getLocalAddress();
        }
        catch (IOException e) {
            return null;
        }
    }

    @Override
    public InetAddress getInetAddress() {
        return getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    @Override
    public int getPort() {
        return getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getPort() : 0;
    }

    @Override
    public InetAddress getLocalAddress() {
        return getLocalSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    @Override
    public int getLocalPort() {
        return getLocalSocketAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        setOption(StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return getOption(StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        setOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return getOption(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        setOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return getOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        setOption(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return getOption(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        setOption(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return getOption(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws SocketException {
        try {
            channel.setOption(name, value);
            return this;
        }
        catch (SocketException e) {
            throw e;
        }
        catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws SocketException {
        try {
            return channel.getOption(name);
        }
        catch (SocketException e) {
            throw e;
        }
        catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    @Override
    public String toString() {
        return "ChannelSocket[" + getLocalSocketAddress() + " -> " + getRemoteSocketAddress() + (closed ? ", closed]" : "]");
    }

    /**
     * Wraps the caller's array without allocating when the caller keeps passing the same array,
     * which httpcore5's session buffers and the TLS engine do.
     */
    private static final class Window {

        private byte[] array;
        private ByteBuffer buffer;

        ByteBuffer over(byte[] b, int off, int len) {
            if (b != array) {
                array = b;
                buffer = ByteBuffer.wrap(b);
            }
            buffer.limit(off + len).position(off);
            return buffer;
        }
    }

    /** Reads what the channel has; waits for {@code SO_TIMEOUT} only when it has nothing yet. */
    private final class ChannelInput extends ArrayReadInputStream {

        private final Window window = new Window();

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            ensureOpen();
            if (parks) {
                return parkedRead(b, off, len);
            }
            ByteBuffer buffer = window.over(b, off, len);
            int n = readSoon(buffer);
            while (n == 0) {
                await(SelectionKey.OP_READ, "Read");
                n = channel.read(buffer);
            }
            return n;
        }

        /**
         * A parking socket's read: through the channel's socket adaptor, which reads at once and, when
         * nothing is there, parks the thread through the JDK's poller for at most {@code SO_TIMEOUT}
         * (a {@code read} that finds nothing, an {@code epoll_ctl} and a hand-off through the poller
         * thread). The first read of an answer on a virtual thread first lets the other virtual threads
         * run once and takes what is there: on a busy scheduler the answer has usually arrived by then,
         * and one {@code read} does. While that usually finds nothing (a slower server) it parks at once
         * instead; {@link AnswerTiming} keeps the guess, as for {@link #readSoon}.
         */
        private int parkedRead(byte[] b, int off, int len) throws IOException {
            boolean wrote = justWrote;
            justWrote = false;
            try {
                if (closing) {
                    int n = readWithoutWaiting(window.over(b, off, len));
                    if (n == 0) {
                        throw new SocketException("Socket is closing: read not waited for");
                    }
                    return n;
                }
                if (wrote && !answerTiming.waitFirst() && VirtualThreads.current()) {
                    Thread.yield();
                    int n = readWithoutWaiting(window.over(b, off, len));
                    answerTiming.readAfterYield(n != 0);
                    if (n != 0) {
                        return n;
                    }
                }
                return parkingInput.read(b, off, len);
            }
            catch (ClosedByInterruptException e) {
                close();
                InterruptedIOException interrupted = new InterruptedIOException("Read interrupted");
                interrupted.initCause(e);
                throw interrupted;
            }
            catch (ClosedChannelException e) {
                throw new SocketException("Socket closed");
            }
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public void close() throws IOException {
            ChannelSocket.this.close();
        }
    }

    /** Writes everything; each stretch without progress may last {@code SO_TIMEOUT}. */
    private final class ChannelOutput extends OutputStream {

        private final Window window = new Window();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            ByteBuffer buffer = window.over(b, off, len);
            justWrote = true;
            if (!parks) {
                writeFully(buffer);
                return;
            }
            try {
                channel.configureBlocking(false);
            }
            catch (ClosedChannelException e) {
                throw new SocketException("Socket closed");
            }
            try {
                writeFully(buffer);
            }
            finally {
                endParkedWrite();
            }
        }

        private void writeFully(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    await(SelectionKey.OP_WRITE, "Write");
                }
            }
        }

        @Override
        public void close() throws IOException {
            ChannelSocket.this.close();
        }
    }
}
