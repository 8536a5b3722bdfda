package io.jpod.storage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Not a test: measures the unpack copy-buffer size (run: java -cp storage/target/classes:storage/target/test-classes:DEPS
 * io.jpod.storage.UnpackBufferBench DIR). Unpacks a gzip-compressed generated layer (half random, half text; files of
 * 4 KiB to 4 MiB) from memory with each buffer size, best of 5, and prints the wall times.
 */
public final class UnpackBufferBench {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp");
        Random r = new Random(3);
        TarBuilder tb = new TarBuilder();
        int[] sizes = {4 << 10, 64 << 10, 1 << 20, 4 << 20};
        for (int i = 0; i < 160; i++) {
            byte[] data = new byte[sizes[i % sizes.length]];
            if (i % 2 == 0) {
                r.nextBytes(data);
            } else {
                java.util.Arrays.fill(data, (byte) ('a' + i % 26));
            }
            tb.file("d" + i % 8 + "/f" + i, new String(data, java.nio.charset.StandardCharsets.ISO_8859_1), 0644, 0, 0, Map.of());
        }
        byte[] tar = tb.build();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        byte[] compressed = gz.toByteArray();
        System.out.printf("layer: %d MiB uncompressed, %d MiB gzip%n", tar.length >> 20, compressed.length >> 20);
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            for (int buf : new int[] {8 << 10, 16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10, 1 << 20}) {
                long best = Long.MAX_VALUE;
                for (int i = 0; i < 5; i++) {
                    Path root = Files.createTempDirectory(dir, "unpack-bench-");
                    LayerUnpacker u = new LayerUnpacker(null, false);
                    u.bufferSize = buf;
                    long t0 = System.nanoTime();
                    u.unpack(new GZIPInputStream(new ByteArrayInputStream(compressed), 64 << 10), root);
                    Native.syncfs(root.toString());
                    best = Math.min(best, System.nanoTime() - t0);
                    Fs.deleteTree(root);
                }
                if (round == 1) {
                    System.out.printf("buffer %7d B: best of 5 %6.1f ms%n", buf, best / 1e6);
                }
            }
        }
    }
}
