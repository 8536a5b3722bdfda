package io.jpod.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.image.ImageProgressEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageProgressLinesTest {
    private static final String D = "sha256:0123456789ab" + "0".repeat(52);
    private static final String C = "sha256:fedcba987654" + "1".repeat(52);

    private static String render(boolean live, ImageProgressEvent... events) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ImageProgressLines lines = new ImageProgressLines(new PrintStream(buf, true, StandardCharsets.UTF_8), live);
        for (ImageProgressEvent e : events) {
            lines.accept(e);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainPullIsPodmansLines() {
        String out = render(false, new ImageProgressEvent.Resolving("busybox", List.of("a.io", "b.io")),
                new ImageProgressEvent.Trying("a.io/busybox:latest"), new ImageProgressEvent.CopyStarted(),
                new ImageProgressEvent.BlobSkipped(C, false, null), new ImageProgressEvent.BlobWaiting(D, 10),
                new ImageProgressEvent.BlobProgress(D, 5, 10), new ImageProgressEvent.BlobCopied(D, 10, false),
                new ImageProgressEvent.ConfigCopied(C, false), new ImageProgressEvent.WritingManifest(),
                new ImageProgressEvent.Resolved("busybox", "a.io/busybox:latest", null));
        assertEquals("""
                Resolving "busybox" using unqualified-search registries (a.io, b.io)
                Trying to pull a.io/busybox:latest...
                Getting image source signatures
                Copying blob fedcba987654 skipped: already exists
                Copying blob 0123456789ab done
                Copying config fedcba987654 done
                Writing manifest to image destination
                Resolved "busybox" to a.io/busybox:latest
                """, out);
    }

    @Test
    void localTransportsAndPushesAndLoads() {
        String out = render(false, new ImageProgressEvent.BlobCopied(D, 10, true), new ImageProgressEvent.ConfigCopied(C, true),
                new ImageProgressEvent.StoringSignatures(), new ImageProgressEvent.BlobSkipped(C, true, "mount/a"),
                new ImageProgressEvent.Warning("WARNING: image platform (linux/arm64) does not match"), new ImageProgressEvent.Loaded("x:1"));
        assertEquals("Copying blob " + D + " done\nCopying config " + C + " done\nStoring signatures\n"
                + "Copying config fedcba987654 skipped: mounted from mount/a\nWARNING: image platform (linux/arm64) does not match\n"
                + "Loaded image: x:1\n", out);
    }

    @Test
    void liveBarsShowBytesOfTotalAndASummary() {
        String out = render(true, new ImageProgressEvent.CopyStarted(), new ImageProgressEvent.BlobWaiting(D, 2 * 1024 * 1024),
                new ImageProgressEvent.BlobProgress(D, 1024 * 1024, 2 * 1024 * 1024), new ImageProgressEvent.BlobCopied(D, 2 * 1024 * 1024, false),
                new ImageProgressEvent.ConfigCopied(C, false));
        assertTrue(out.contains("Copying blob 0123456789ab waiting"), out);
        assertTrue(out.contains("Copying blob 0123456789ab [====================] 2.0MiB / 2.0MiB"), out);
        assertTrue(out.contains("done\033[K\n"), out);
        assertTrue(out.contains("\nCopied 1 layer, 2.0MiB in "), out);
        assertTrue(out.endsWith("Copying config fedcba987654 done\n"), out);
        assertTrue(!out.contains("Copying blob 0123456789ab done\n"), "no plain line for a drawn layer: " + out);
    }
}
