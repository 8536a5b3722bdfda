package io.jpod.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * A blob download that survives cut connections: when a read fails, it asks the {@link Opener} for the rest
 * from the current position ({@code Range: bytes=N-}). A server may answer 206 from N (or earlier) or ignore the
 * range and send everything again (200), in which case the already-delivered prefix is skipped. At most
 * {@code maxResumes} resumptions per stream; the consumer never sees a byte twice or a gap.
 */
final class ResumingInputStream extends InputStream {

    /** Opens the blob from {@code offset}; the returned start says where the body really begins (0 for a full 200). */
    interface Opener {
        Opened open(long offset) throws IOException;
    }

    record Opened(InputStream body, long start) {
    }

    private final Opener opener;
    private final long expectedSize; // -1 if unknown
    private final int maxResumes;
    private final long backoffMillis;
    private InputStream in;
    private long position;
    private int resumes;
    private boolean closed;

    /** Opens at offset 0 right away, so "not found" and friends surface from the constructor. */
    ResumingInputStream(Opener opener, long expectedSize, int maxResumes, long backoffMillis) throws IOException {
        this.opener = opener;
        this.expectedSize = expectedSize;
        this.maxResumes = maxResumes;
        this.backoffMillis = backoffMillis;
        Opened first = opener.open(0);
        this.in = first.body();
        if (first.start() != 0) {
            in.close();
            throw new IOException("server answered a request for the whole blob with content from offset " + first.start());
        }
    }

    int resumes() {
        return resumes;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (closed) {
                throw new IOException("stream closed");
            }
            try {
                int n = in.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (IOException e) {
                if (!resumable(e)) {
                    throw e;
                }
                if (expectedSize >= 0 && position >= expectedSize) {
                    // Everything arrived; only the connection's end was unclean.
                    closeQuietly(in);
                    return -1;
                }
                resume(e);
            }
        }
    }

    private boolean resumable(IOException e) {
        if (e instanceof ContentMismatchException) {
            return false;
        }
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return false; // a cancelled download, not a network problem
        }
        return !Thread.currentThread().isInterrupted();
    }

    private void resume(IOException cause) throws IOException {
        closeQuietly(in);
        while (true) {
            if (resumes >= maxResumes) {
                IOException e = new IOException("transfer broken off at byte " + position + " after " + resumes + " resumptions: "
                        + cause.getMessage(), cause);
                throw e;
            }
            resumes++;
            sleepBackoff();
            try {
                Opened o = opener.open(position);
                long skip = position - o.start();
                if (skip < 0) {
                    closeQuietly(o.body());
                    throw new IOException("server resumed at byte " + o.start() + " but " + position + " bytes were already received");
                }
                if (skip > 0) {
                    // 200 instead of 206 (or an earlier start): discard what the consumer already has.
                    o.body().skipNBytes(skip);
                }
                in = o.body();
                return;
            } catch (IOException e) {
                if (!resumable(e)) {
                    throw e;
                }
                cause = e;
            }
        }
    }

    private void sleepBackoff() throws InterruptedIOException {
        if (backoffMillis <= 0) {
            return;
        }
        try {
            Thread.sleep(Math.min(backoffMillis * resumes, 5_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to resume a download");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(in);
        }
    }

    private static void closeQuietly(InputStream s) {
        try {
            s.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a broken connection: nothing to report
        }
    }
}
