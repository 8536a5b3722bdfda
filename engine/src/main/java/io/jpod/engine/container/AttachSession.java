package io.jpod.engine.container;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A connection to a container monitor's attach socket from inside a JVM (the Docker-compatible API's attach):
 * the frames of attach.h — the monitor sends 'o' stdout, 'e' stderr and a last 'x' exit status; we send 'i'
 * stdin bytes, 'c' end of stdin and 'w' window sizes. One type byte, a 4-byte length in host order, the payload.
 */
public final class AttachSession implements AutoCloseable {
    /** One frame from the monitor; {@code type} 'o', 'e' or 'x' (then {@link #status()}). */
    public record Frame(char type, byte[] payload) {
        public int status() {
            return ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder()).getInt();
        }
    }

    private static final int MAX_PAYLOAD = 16384;
    private final SocketChannel ch;

    private AttachSession(SocketChannel ch) {
        this.ch = ch;
    }

    public static AttachSession open(Path socket) throws IOException {
        if (socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < SUN_PATH_MAX) {
            return connect(socket);
        }
        // A run root deep enough makes the path longer than sun_path (the monitor binds it from inside its
        // directory). connect(2) follows symlinks, so a short link in a fresh private directory reaches it.
        Path dir = java.nio.file.Files.createTempDirectory("jpod-attach"); // 0700
        Path link = dir.resolve("s");
        try {
            java.nio.file.Files.createSymbolicLink(link, socket);
            return connect(link);
        } finally {
            java.nio.file.Files.deleteIfExists(link);
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    /** sun_path's size on Linux, its terminating NUL included. */
    private static final int SUN_PATH_MAX = 108;

    private static AttachSession connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new AttachSession(ch);
    }

    /** The next frame, or null when the monitor closed the connection without a status. */
    public Frame read() throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).order(ByteOrder.nativeOrder());
        if (!fill(head)) {
            return null;
        }
        char type = (char) head.get(0);
        int len = head.getInt(1);
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new IOException("bad frame from the container monitor (length " + len + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        if (len > 0 && !fill(body)) {
            return null;
        }
        return new Frame(type, body.array());
    }

    private boolean fill(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    public void stdin(byte[] data, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, MAX_PAYLOAD);
            send('i', ByteBuffer.wrap(data, off, n));
            off += n;
            len -= n;
        }
    }

    public void endOfStdin() throws IOException {
        send('c', ByteBuffer.allocate(0));
    }

    public void resize(int rows, int cols) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        b.putShort((short) rows).putShort((short) cols).flip();
        send('w', b);
    }

    private synchronized void send(char type, ByteBuffer payload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).order(ByteOrder.nativeOrder());
        head.put((byte) type).putInt(payload.remaining()).flip();
        while (head.hasRemaining()) {
            ch.write(head);
        }
        while (payload.hasRemaining()) {
            ch.write(payload);
        }
    }

    @Override
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
