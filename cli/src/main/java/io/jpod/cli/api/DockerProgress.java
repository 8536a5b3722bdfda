package io.jpod.cli.api;

import io.jpod.image.ImageProgressEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Docker's JSON progress of a pull or push ({@code {"status":…,"progressDetail":…,"id":…}}, one object a line),
 * rendered from the image service's events: the layer ids are a digest's first 12 hex digits, as docker's CLI shows
 * them in place. Steps docker does not report (signatures, the manifest write) are left out.
 */
final class DockerProgress implements Consumer<ImageProgressEvent> {
    private final OutputStream out;
    private final boolean push;

    /** @param push word the layer states as a push does ("Pushing", "Pushed", "Layer already exists") */
    DockerProgress(OutputStream out, boolean push) {
        this.out = out;
        this.push = push;
    }

    @Override
    public synchronized void accept(ImageProgressEvent event) {
        if (event instanceof ImageProgressEvent.Resolving r) {
            status("Resolving \"" + r.name() + "\" using unqualified-search registries (" + String.join(", ", r.registries()) + ")", null, null);
        } else if (event instanceof ImageProgressEvent.Resolved r) {
            status("Resolved \"" + r.name() + "\" to " + r.image(), null, null);
        } else if (event instanceof ImageProgressEvent.Trying t) {
            status("Trying to pull " + t.image(), null, null);
        } else if (event instanceof ImageProgressEvent.BlobSkipped s) {
            if (!s.config()) {
                status(s.mountedFrom() != null ? "Mounted from " + s.mountedFrom() : push ? "Layer already exists" : "Already exists",
                        Map.of(), id(s.digest()));
            }
        } else if (event instanceof ImageProgressEvent.BlobWaiting w) {
            status("Pulling fs layer", Map.of(), id(w.digest()));
        } else if (event instanceof ImageProgressEvent.BlobProgress p) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("current", p.done());
            detail.put("total", p.total());
            status(push ? "Pushing" : "Downloading", detail, id(p.digest()), bar(p.done(), p.total()));
        } else if (event instanceof ImageProgressEvent.BlobCopied c) {
            if (push) {
                status("Pushed", Map.of(), id(c.digest()));
            } else {
                status("Download complete", Map.of(), id(c.digest()));
                status("Pull complete", Map.of(), id(c.digest()));
            }
        } else if (event instanceof ImageProgressEvent.Warning w) {
            status(w.line(), null, null);
        } else if (event instanceof ImageProgressEvent.Loaded l) {
            status("Loaded image: " + l.name(), null, null);
        }
    }

    private void status(String status, Map<String, Object> detail, String id) {
        status(status, detail, id, null);
    }

    private void status(String status, Map<String, Object> detail, String id, String progress) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        if (detail != null) {
            m.put("progressDetail", detail);
        }
        if (progress != null) {
            m.put("progress", progress);
        }
        if (id != null) {
            m.put("id", id);
        }
        try {
            out.write(HttpExchange.JSON.writeValueAsBytes(m));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the client went away: the transfer stops
        }
    }

    private static String id(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** docker's "[=====>     ]  1.2MB/3.4MB" (decimal units, as docker's CLI shows them). */
    private static String bar(long done, long total) {
        int width = 50;
        int filled = total > 0 ? (int) Math.min(width, done * width / total) : 0;
        String b = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled);
        return "[" + b + "] " + size(done) + "/" + size(total);
    }

    private static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        if (bytes < 1000_000) {
            return String.format(Locale.ROOT, "%.1fkB", bytes / 1e3);
        }
        if (bytes < 1000_000_000) {
            return String.format(Locale.ROOT, "%.1fMB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fGB", bytes / 1e9);
    }
}
