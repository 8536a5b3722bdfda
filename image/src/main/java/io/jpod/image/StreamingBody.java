package io.jpod.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as a blocking InputStream, like {@code BodySubscribers.ofInputStream()}, but with an idle timeout:
 * the JDK's request timeout only covers the response headers, so a registry that stops sending mid-body would
 * otherwise block a pull forever. A stalled read throws {@link SocketTimeoutException}, which the resuming stream
 * treats like a cut connection. Reads are also interruptible (cancelling a parallel layer download).
 * Demand is {@value #AHEAD} items ahead, so the client's selector keeps reading while this stream's reader hashes and
 * unpacks, and at most that many buffers are queued.
 */
final class StreamingBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();
    static final int AHEAD = 4;

    private record Failure(Throwable error) {
    }

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long idleTimeoutMillis;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> items = Collections.emptyIterator();
    private ByteBuffer current;
    private boolean ended;
    private Throwable failure;

    StreamingBody(long idleTimeoutMillis) {
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null) {
            s.cancel();
            return;
        }
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(AHEAD);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(new Failure(throwable));
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /** Makes {@code current} non-empty; false at the end of the body. */
    @SuppressWarnings("unchecked")
    private boolean fill() throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (items.hasNext()) {
                current = items.next();
                continue;
            }
            if (ended) {
                return false;
            }
            if (failure != null) {
                Throwable t = failure;
                throw t instanceof IOException io ? new IOException(io.getMessage(), io) : new IOException(String.valueOf(t), t);
            }
            if (closed) {
                throw new IOException("stream closed");
            }
            Object next;
            try {
                next = queue.poll(idleTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new InterruptedIOException("interrupted while receiving data");
            }
            if (next == null) {
                close();
                throw new SocketTimeoutException("no data received for " + (idleTimeoutMillis / 1000.0) + " s");
            }
            if (next == END) {
                ended = true;
                return false;
            }
            if (next instanceof Failure f) {
                failure = f.error(); // every later read fails too: a broken body must never look like a short, complete one
                continue;
            }
            items = ((List<ByteBuffer>) next).iterator();
            subscription.request(1);
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? current.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        ByteBuffer c = current;
        return c == null ? 0 : c.remaining();
    }

    /** Closing before the end cancels the exchange (the connection is then not reused). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null && !ended && failure == null) {
            s.cancel();
        }
    }
}
