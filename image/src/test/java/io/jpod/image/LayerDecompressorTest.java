package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class LayerDecompressorTest {
    private static final String D = "sha256:" + "d".repeat(64);

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void gzipAndConcatenatedMembers() throws IOException {
        byte[] a = random(300_000, 1);
        byte[] b = random(200_000, 2);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(gzip(a));
        both.write(gzip(b));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        // a stream that hands out few bytes per read, like a network connection, and claims nothing is available
        byte[] got = LayerDecompressor.open(new Trickle(both.toByteArray()), MediaTypes.OCI_LAYER_GZIP, D).readAllBytes();
        assertArrayEquals(expected.toByteArray(), got);
    }

    @Test
    void plainTarPassesThroughAndSniffingBeatsTheLabel() throws IOException {
        byte[] tar = random(10_000, 3);
        tar[0] = 'b'; // not gzip magic
        assertArrayEquals(tar, LayerDecompressor.open(new ByteArrayInputStream(tar), MediaTypes.OCI_LAYER, D).readAllBytes());
        // gzip data under a plain tar type still decompresses
        assertArrayEquals(tar, LayerDecompressor.open(new ByteArrayInputStream(gzip(tar)), MediaTypes.DOCKER_LAYER, D).readAllBytes());
        assertArrayEquals(new byte[0], LayerDecompressor.open(new ByteArrayInputStream(new byte[0]), MediaTypes.OCI_LAYER, D).readAllBytes());
    }

    @Test
    void zstdIncludingConcatenatedFramesAndForeignTypesRefused() throws IOException {
        assertTrue(LayerDecompressor.declared(MediaTypes.OCI_LAYER_ZSTD, D) == LayerDecompressor.Kind.ZSTD);
        byte[] a = random(300_000, 5);
        byte[] b = random(100_000, 6);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.write(com.github.luben.zstd.Zstd.compress(a, 3));
        frames.write(com.github.luben.zstd.Zstd.compress(b, 19));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        assertArrayEquals(expected.toByteArray(),
                LayerDecompressor.open(new Trickle(frames.toByteArray()), MediaTypes.OCI_LAYER_ZSTD, D).readAllBytes());
        // sniffed under a plain tar type, as with gzip
        assertArrayEquals(a, LayerDecompressor.open(new ByteArrayInputStream(com.github.luben.zstd.Zstd.compress(a, 1)),
                MediaTypes.OCI_LAYER, D).readAllBytes());
        // (a flipped byte inside a zstd raw block is not detectable by zstd itself; the blob digest and diff_id catch it)
        byte[] truncated = java.util.Arrays.copyOf(com.github.luben.zstd.Zstd.compress(a, 3), 1000);
        assertThrows(IOException.class, () -> LayerDecompressor.open(new ByteArrayInputStream(truncated), MediaTypes.OCI_LAYER_ZSTD, D)
                .readAllBytes());
        ImageException helm = assertThrows(ImageException.class,
                () -> LayerDecompressor.declared("application/vnd.cncf.helm.chart.content.v1.tar+gzip", D));
        assertTrue(helm.getMessage().contains("unsupported media type"), helm.getMessage());
    }

    @Test
    void corruptGzipFails() throws IOException {
        byte[] gz = gzip(random(50_000, 4));
        gz[gz.length / 2] ^= 0x55;
        assertThrows(IOException.class, () -> LayerDecompressor.open(new ByteArrayInputStream(gz), MediaTypes.OCI_LAYER_GZIP, D).readAllBytes());
    }

    /** Returns at most 1000 bytes per read and reports available() == 0, as a socket between packets does. */
    private static final class Trickle extends ByteArrayInputStream {
        Trickle(byte[] b) {
            super(b);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1000));
        }

        @Override
        public synchronized int available() {
            return 0;
        }
    }
}
