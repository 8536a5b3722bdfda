package io.jpod.cli.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Request and response bodies: Content-Length bounded and chunked (RFC 9112 section 7.1). */
final class HttpBodies {
    /** The longest chunk accepted in a request (bigger is a malformed or hostile size). */
    static final long MAX_CHUNK = 64L * 1024 * 1024;

    private HttpBodies() {
    }

    /** Exactly {@code length} bytes of the connection; a short body is an error, not an end. */
    static final class LimitedInput extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInput(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw HttpError.badRequest("connection closed before the end of the request body (Content-Length)");
            }
            left -= n;
            return n;
        }
    }

    /** A chunked request body, decoded; chunk extensions and trailers are read and ignored. */
    static final class ChunkedInput extends InputStream {
        private final InputStream in;
        private long left; // of the current chunk
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                left = nextChunkSize();
                if (left == 0) {
                    while (!HttpRequest.readLine(in, HttpRequest.MAX_LINE, false).isEmpty()) {
                        // trailer fields: ignored
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw HttpError.badRequest("connection closed in the middle of a chunk");
            }
            left -= n;
            if (left == 0) {
                String end = HttpRequest.readLine(in, HttpRequest.MAX_LINE, false);
                if (!end.isEmpty()) {
                    throw HttpError.badRequest("malformed chunked body: a chunk is longer than its size");
                }
            }
            return n;
        }

        private long nextChunkSize() throws IOException {
            String line = HttpRequest.readLine(in, HttpRequest.MAX_LINE, false);
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw HttpError.badRequest("malformed chunk size " + HttpRequest.printable(hex));
            }
            long size = Long.parseLong(hex, 16);
            if (size > MAX_CHUNK) {
                throw new HttpError(413, "chunk too large: at most " + MAX_CHUNK + " bytes");
            }
            return size;
        }
    }

    /** A chunked response body; {@link #close()} writes the last chunk (and leaves the connection open). */
    static final class ChunkedOutput extends OutputStream {
        private final OutputStream out;
        private boolean closed;

        ChunkedOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return; // a zero-length chunk would end the body
            }
            if (closed) {
                throw new IOException("response already complete");
            }
            out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b, off, len);
            out.write('\r');
            out.write('\n');
            out.flush(); // streams (pull progress, logs, events) reach the client as they happen
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }
    }
}
