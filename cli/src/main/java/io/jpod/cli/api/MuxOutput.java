package io.jpod.cli.api;

import java.io.IOException;
import java.io.OutputStream;

/**
 * docker's {@code application/vnd.docker.multiplexed-stream} (a container without a tty): every write is a frame
 * of an 8-byte header — the stream (0 stdin, 1 stdout, 2 stderr), three zero bytes, the length as 4 bytes
 * big-endian — and the bytes; with a tty the output is raw. Writes of both streams are serialised.
 */
final class MuxOutput {
    private final OutputStream out;
    private final boolean raw;

    MuxOutput(OutputStream out, boolean raw) {
        this.out = out;
        this.raw = raw;
    }

    synchronized void write(int stream, byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (!raw) {
            out.write(new byte[]{(byte) stream, 0, 0, 0, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
        }
        out.write(b, off, len);
        out.flush();
    }

    /** One of the two streams as an OutputStream (for the engine's log printer). */
    OutputStream stream(int stream) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                MuxOutput.this.write(stream, new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                MuxOutput.this.write(stream, b, off, len);
            }
        };
    }

    /** Ends the response body (the last chunk of a streamed response). */
    void close() throws IOException {
        out.close();
    }

    static String contentType(boolean tty) {
        return tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    }
}
