package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PullProgressTest {
    private static final String D = "sha256:0123456789ab" + "0".repeat(52);

    @Test
    void liveLinesShowBytesTotalAndRateAndASummary() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        PullProgress.Layer l;
        try (PullProgress p = new PullProgress(out, true)) {
            l = p.add(D, 2 * 1024 * 1024);
            p.count(new ByteArrayInputStream(new byte[1024 * 1024]), l).readAllBytes();
            String half = PullProgress.line(l, System.nanoTime());
            assertTrue(half.startsWith("Copying blob 0123456789ab [=========>          ] 1.0MiB / 2.0MiB"), half);
            assertTrue(half.endsWith("MiB/s"), half);
            p.done(l);
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("1.0MiB / 2.0MiB") && s.contains("done"), s);
        assertTrue(s.strip().lines().reduce((a, b) -> b).orElse("").startsWith("Copied 1 layer, 1.0MiB in "), s);
    }

    @Test
    void plainModePrintsNothingItself() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PullProgress p = new PullProgress(new PrintStream(buf), false)) {
            p.done(p.add(D, 10));
            p.paint();
        }
        assertEquals(0, buf.size());
    }
}
