package io.jpod.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads its source on a thread of its own, a few chunks ahead of the consumer. A layer's pull has two halves of
 * similar cost: the download side (socket, sha256 of the blob, the kept copy of the blob) and the unpack side
 * (inflate, tar, sha256 of the diff, file writes). On one thread a layer uses one core; split here, the last layers
 * of a pull, which no longer share the cores with others, use two.
 * <p>
 * Whatever the source throws reaches the consumer as the same exception object, in order, after the bytes read
 * before it. {@link #close()} stops the reader (interrupting a blocked read) and waits for it, so the source is no
 * longer touched once close returns.
 */
final class ReadAheadInputStream extends InputStream {
    private static final int CHUNK = 256 * 1024;
    private static final int DEPTH = 4;

    private record Chunk(byte[] bytes, int length) {
    }

    private record Failure(Throwable error) {
    }

    private static final Object END = new Object();

    private final InputStream source;
    private final BlockingQueue<Object> filled = new ArrayBlockingQueue<>(DEPTH);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(DEPTH + 2);
    private final Thread reader;
    private volatile boolean closed;
    private Chunk current;
    private int pos;
    private boolean ended;

    ReadAheadInputStream(InputStream source, String threadName) {
        this.source = source;
        this.reader = new Thread(this::pump, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private void pump() {
        try {
            while (!closed) {
                byte[] buf = free.poll();
                if (buf == null) {
                    buf = new byte[CHUNK];
                }
                int n = source.read(buf, 0, buf.length);
                if (n < 0) {
                    filled.put(END);
                    return;
                }
                if (n > 0) {
                    filled.put(new Chunk(buf, n));
                }
            }
        } catch (InterruptedException e) {
            // closed by the consumer
        } catch (Throwable t) {
            try {
                filled.put(new Failure(t));
            } catch (InterruptedException e) {
                // closed by the consumer
            }
        }
    }

    /** Makes {@code current} hold unread bytes; false at the end. */
    private boolean fill() throws IOException {
        while (current == null || pos >= current.length()) {
            if (ended) {
                return false;
            }
            if (closed) {
                throw new IOException("stream closed");
            }
            if (current != null) {
                free.offer(current.bytes());
                current = null;
            }
            Object next;
            try {
                next = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading ahead");
            }
            if (next == END) {
                ended = true;
                return false;
            }
            if (next instanceof Failure f) {
                ended = true; // the reader has stopped; every later read says end, the caller already has the error
                Throwable t = f.error();
                if (t instanceof IOException io) {
                    throw io;
                }
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error err) {
                    throw err;
                }
                throw new IOException(t);
            }
            current = (Chunk) next;
            pos = 0;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? current.bytes()[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.length() - pos);
        System.arraycopy(current.bytes(), pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        Chunk c = current;
        return c == null ? 0 : c.length() - pos;
    }

    /** Reads everything the consumer left, so that the source reaches its end (and verifies there, see callers). */
    void drain() throws IOException {
        while (fill()) {
            pos = current.length();
        }
        join();
    }

    /** Stops the reader if it still runs and waits for it (bounded); the source is not closed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reader.interrupt();
        filled.clear(); // unblocks a reader waiting to put
        join();
    }

    private void join() {
        try {
            reader.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
