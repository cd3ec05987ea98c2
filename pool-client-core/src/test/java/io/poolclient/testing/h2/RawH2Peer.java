package io.poolclient.testing.h2;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.hpack.HPackDecoder;
import org.apache.hc.core5.http2.hpack.HPackEncoder;
import org.apache.hc.core5.util.ByteArrayBuffer;

/**
 * The server side of one HTTP/2 connection, frame by frame, for scripted fault tests. Every read is
 * bounded by the socket's timeout (set by {@link H2FaultServer}). Used by one script thread.
 */
public final class RawH2Peer {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;

    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;

    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;

    private static final int PREFACE_LENGTH = 24;

    /** One frame as read. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {

        public int int32(int at) {
            return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }
    }

    /** A request head: its stream id, its fields in order (pseudo-headers included), whether it ended the stream. */
    public record Request(int streamId, Map<String, String> fields, boolean endStream) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final HPackDecoder decoder = new HPackDecoder(4096, StandardCharsets.UTF_8);
    private final HPackEncoder encoder = new HPackEncoder(0, StandardCharsets.UTF_8);
    private final List<Frame> skipped = new ArrayList<>();

    RawH2Peer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Reads the client preface and its SETTINGS, sends ours ({@code key, value} pairs) and acknowledges theirs. */
    public void handshake(int... settings) throws IOException {
        byte[] preface = new byte[PREFACE_LENGTH];
        in.readFully(preface);
        if (!new String(preface, StandardCharsets.US_ASCII).equals("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
            throw new IOException("not an HTTP/2 client preface");
        }
        Frame first = read();
        if (first.type() != SETTINGS) {
            throw new IOException("client did not send SETTINGS first");
        }
        settings(settings);
        write(SETTINGS, ACK, 0, new byte[0]);
    }

    /** Sends a SETTINGS frame of {@code key, value} pairs. */
    public void settings(int... pairs) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(pairs.length / 2 * 6);
        for (int i = 0; i < pairs.length; i += 2) {
            b.putShort((short) pairs[i]).putInt(pairs[i + 1]);
        }
        write(SETTINGS, 0, 0, b.array());
    }

    /** The next frame of any type. */
    public Frame read() throws IOException {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, flags, stream, payload);
    }

    /** The next frame of {@code type}; others (settings acks, window updates...) are kept in {@link #skipped()}. */
    public Frame next(int type) throws IOException {
        while (true) {
            Frame f = read();
            if (f.type() == type) {
                return f;
            }
            skipped.add(f);
        }
    }

    /** The next request head (HEADERS with END_HEADERS; no CONTINUATION expected from small heads). */
    public Request nextRequest() throws Exception {
        Frame f = next(HEADERS);
        Map<String, String> fields = new LinkedHashMap<>();
        for (Header h : decoder.decodeHeaders(ByteBuffer.wrap(f.payload()))) {
            fields.put(h.getName(), h.getValue());
        }
        return new Request(f.streamId(), fields, (f.flags() & END_STREAM) != 0);
    }

    /** Frames {@link #next} passed over. */
    public List<Frame> skipped() {
        return skipped;
    }

    /** Sends a response head: {@code :status} and {@code name, value} pairs. */
    public void headers(int streamId, int status, boolean endStream, String... fields) throws IOException {
        List<Header> list = new ArrayList<>();
        list.add(new BasicHeader(":status", Integer.toString(status)));
        for (int i = 0; i < fields.length; i += 2) {
            list.add(new BasicHeader(fields[i], fields[i + 1]));
        }
        ByteArrayBuffer block = new ByteArrayBuffer(128);
        encoder.encodeHeaders(block, list, false);
        byte[] bytes = new byte[block.length()];
        System.arraycopy(block.array(), 0, bytes, 0, bytes.length);
        write(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, bytes);
    }

    public void data(int streamId, byte[] bytes, boolean endStream) throws IOException {
        write(DATA, endStream ? END_STREAM : 0, streamId, bytes);
    }

    public void rstStream(int streamId, int code) throws IOException {
        write(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(code).array());
    }

    public void goAway(int lastStreamId, int code, String debug) throws IOException {
        byte[] text = debug.getBytes(StandardCharsets.UTF_8);
        write(GOAWAY, 0, 0, ByteBuffer.allocate(8 + text.length).putInt(lastStreamId).putInt(code).put(text).array());
    }

    public void windowUpdate(int streamId, int increment) throws IOException {
        write(WINDOW_UPDATE, 0, streamId, ByteBuffer.allocate(4).putInt(increment).array());
    }

    public void write(int type, int flags, int streamId, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(9);
        header.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        header.put((byte) type).put((byte) flags).putInt(streamId);
        out.write(header.array());
        out.write(payload);
        out.flush();
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads until the client closes the connection, returning the frames seen on the way. */
    public List<Frame> readUntilClosed() throws IOException {
        List<Frame> seen = new ArrayList<>();
        try {
            while (true) {
                seen.add(read());
            }
        } catch (EOFException closed) {
            return seen;
        }
    }

    public Socket socket() {
        return socket;
    }
}
