package io.jpod.engine.image;

import io.jpod.image.ImageProgressEvent;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Podman's progress lines for a pull, push or load, rendered from the image module's events. Plain (not a terminal):
 * one line per step, as podman prints them when its output is not a terminal. Live (a terminal): one line per layer
 * being downloaded (bytes of total, rate), redrawn in place, then a summary line. The CLI hands one to the image
 * service and to run/create's implicit pull; in the engine only a pod's infra image pull (quiet: warnings) uses one.
 */
public final class ImageProgressLines implements Consumer<ImageProgressEvent> {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean live;
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private long start;
    private long painted;
    private int drawn;
    private boolean summarised;

    private static final class Layer {
        final long size;
        long bytes;
        long startNanos;
        long endNanos;
        boolean done;

        Layer(long size) {
            this.size = size;
        }
    }

    /** @param live redraw per-layer bars in place (the stream is a terminal) */
    public ImageProgressLines(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    @Override
    public synchronized void accept(ImageProgressEvent event) {
        if (event instanceof ImageProgressEvent.Resolving r) {
            line("Resolving \"" + r.name() + "\" using unqualified-search registries (" + String.join(", ", r.registries()) + ")");
        } else if (event instanceof ImageProgressEvent.Resolved r) {
            line("Resolved \"" + r.name() + "\" to " + r.image() + (r.mirror() != null ? " (served by mirror " + r.mirror() + ")" : ""));
        } else if (event instanceof ImageProgressEvent.Trying t) {
            line("Trying to pull " + t.image() + "...");
        } else if (event instanceof ImageProgressEvent.CopyStarted) {
            line("Getting image source signatures");
        } else if (event instanceof ImageProgressEvent.BlobSkipped s) {
            line("Copying " + (s.config() ? "config " : "blob ") + shortHex(s.digest())
                    + (s.mountedFrom() != null ? " skipped: mounted from " + s.mountedFrom() : " skipped: already exists"));
        } else if (event instanceof ImageProgressEvent.BlobWaiting w) {
            if (live) {
                if (layers.isEmpty()) {
                    start = System.nanoTime();
                }
                layers.put(w.digest(), new Layer(w.size()));
                paint(true);
            }
        } else if (event instanceof ImageProgressEvent.BlobProgress p) {
            Layer l = layers.get(p.digest());
            if (l != null) {
                if (l.startNanos == 0) {
                    l.startNanos = System.nanoTime();
                }
                l.bytes = p.done();
                paint(false);
            }
        } else if (event instanceof ImageProgressEvent.BlobCopied c) {
            Layer l = layers.get(c.digest());
            if (l != null) {
                l.bytes = l.size;
                l.endNanos = System.nanoTime();
                l.done = true;
                paint(true);
            } else {
                line("Copying blob " + (c.local() ? c.digest() : shortHex(c.digest())) + " done");
            }
        } else if (event instanceof ImageProgressEvent.ConfigCopied c) {
            summary();
            line("Copying config " + (c.local() ? c.digest() : shortHex(c.digest())) + " done");
        } else if (event instanceof ImageProgressEvent.WritingManifest) {
            summary();
            line("Writing manifest to image destination");
        } else if (event instanceof ImageProgressEvent.StoringSignatures) {
            line("Storing signatures");
        } else if (event instanceof ImageProgressEvent.Warning w) {
            line(w.line());
        } else if (event instanceof ImageProgressEvent.Loaded l) {
            line("Loaded image: " + l.name());
        }
    }

    private void line(String text) {
        out.println(text);
        out.flush();
    }

    /** The layers' lines again, over the ones drawn before (at most every {@value #REDRAW_NANOS} ns unless forced). */
    private void paint(boolean force) {
        long now = System.nanoTime();
        if (!live || (!force && now - painted < REDRAW_NANOS)) {
            return;
        }
        painted = now;
        StringBuilder b = new StringBuilder();
        if (drawn > 0) {
            b.append("\033[").append(drawn).append('A');
        }
        layers.forEach((digest, l) -> b.append('\r').append(bar(digest, l, now)).append("\033[K\n"));
        drawn = layers.size();
        out.print(b);
        out.flush();
    }

    /** The final state of the bars and "Copied N layers, SIZE in Ts (RATE/s)", once. */
    private void summary() {
        if (!live || layers.isEmpty() || summarised) {
            return;
        }
        summarised = true;
        paint(true);
        long total = layers.values().stream().mapToLong(l -> l.bytes).sum();
        double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        line(String.format(Locale.ROOT, "Copied %d layer%s, %s in %.1fs (%s/s)", layers.size(), layers.size() == 1 ? "" : "s",
                mib(total), secs, mib((long) (total / secs))));
    }

    /** "Copying blob 0123456789ab [=====>      ] 12.0MiB / 30.0MiB  45.2MiB/s". */
    static String bar(String digest, Layer l, long now) {
        if (l.startNanos == 0 && !l.done) {
            return "Copying blob " + shortHex(digest) + " waiting";
        }
        int width = 20;
        int filled = l.size > 0 ? (int) Math.min(width, l.bytes * width / l.size) : width;
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (filled == width ? "=" : ">") : "") + " ".repeat(width - filled);
        long begin = l.startNanos != 0 ? l.startNanos : now;
        long end = l.endNanos > 0 ? l.endNanos : now;
        double secs = Math.max(1e-3, (end - begin) / 1e9);
        return String.format(Locale.ROOT, "Copying blob %s [%s] %s / %s  %s/s%s", shortHex(digest), bar, mib(l.bytes), mib(l.size),
                mib((long) (l.bytes / secs)), l.done ? "  done" : "");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1fMiB", bytes / (1024.0 * 1024.0));
    }

    /** The first 12 hex digits of a digest, as podman shows blobs. */
    private static String shortHex(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
