package io.jpod.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Layer download progress. On a terminal: one live line per layer (bytes/total, rate), redrawn in place a few times a
 * second, and a summary line at the end. Elsewhere: the plain podman-style lines the puller prints anyway.
 */
final class PullProgress implements AutoCloseable {
    private static final long REDRAW_MILLIS = 200;

    private final PrintStream out;
    private final boolean live;
    private final List<Layer> layers = new ArrayList<>();
    private final long start = System.nanoTime();
    private Thread painter;
    private int drawn;

    static final class Layer {
        final String digest;
        final long size;
        final AtomicLong bytes = new AtomicLong();
        volatile long startNanos;
        volatile long endNanos;
        volatile String state = "waiting";

        Layer(String digest, long size) {
            this.digest = digest;
            this.size = size;
        }
    }

    PullProgress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live && out != null;
    }

    /** Whether stderr (where progress goes) is a terminal: fd 2 points at a tty device. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    boolean live() {
        return live;
    }

    synchronized Layer add(String digest, long size) {
        Layer l = new Layer(digest, size);
        layers.add(l);
        return l;
    }

    /** Starts redrawing (live mode only). */
    void start() {
        if (!live || layers.isEmpty()) {
            return;
        }
        painter = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                paint();
                try {
                    Thread.sleep(REDRAW_MILLIS); // redraw interval of the display, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "jpod-progress");
        painter.setDaemon(true);
        painter.start();
    }

    InputStream count(InputStream in, Layer layer) {
        layer.startNanos = System.nanoTime();
        layer.state = "copying";
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    layer.bytes.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    layer.bytes.addAndGet(n);
                }
                return n;
            }
        };
    }

    void done(Layer layer) {
        layer.endNanos = System.nanoTime();
        layer.state = "done";
    }

    synchronized void paint() {
        if (!live) {
            return;
        }
        StringBuilder b = new StringBuilder();
        if (drawn > 0) {
            b.append("\033[").append(drawn).append('A');
        }
        for (Layer l : layers) {
            b.append('\r').append(line(l, System.nanoTime())).append("\033[K\n");
        }
        drawn = layers.size();
        out.print(b);
        out.flush();
    }

    /** "Copying blob 0123456789ab [=====>      ] 12.0MiB / 30.0MiB  45.2MiB/s". */
    static String line(Layer l, long now) {
        long bytes = l.bytes.get();
        String shortHex = Digests.shortHex(l.digest);
        if ("waiting".equals(l.state)) {
            return "Copying blob " + shortHex + " waiting";
        }
        int width = 20;
        int filled = l.size > 0 ? (int) Math.min(width, bytes * width / l.size) : width;
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (filled == width ? "=" : ">") : "") + " ".repeat(width - filled);
        long end = l.endNanos > 0 ? l.endNanos : now;
        double secs = Math.max(1e-3, (end - l.startNanos) / 1e9);
        return String.format(Locale.ROOT, "Copying blob %s [%s] %s / %s  %s/s%s", shortHex, bar, mib(bytes), mib(l.size),
                mib((long) (bytes / secs)), "done".equals(l.state) ? "  done" : "");
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1fMiB", bytes / (1024.0 * 1024.0));
    }

    /** Stops the painter, draws the final state and the summary (live mode). */
    @Override
    public void close() {
        if (painter != null) {
            painter.interrupt();
            try {
                painter.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (live && !layers.isEmpty()) {
            paint();
            long total = layers.stream().mapToLong(l -> l.bytes.get()).sum();
            double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
            out.println(String.format(Locale.ROOT, "Copied %d layer%s, %s in %.1fs (%s/s)", layers.size(), layers.size() == 1 ? "" : "s",
                    mib(total), secs, mib((long) (total / secs))));
            out.flush();
        }
    }
}
