package io.jpod.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarHeaderLimiterTest {
    @TempDir
    Path tmp;

    private LayerUnpacker.Result unpack(byte[] tar) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        return new LayerUnpacker(new PrintStream(new ByteArrayOutputStream()), false).unpack(new ByteArrayInputStream(tar), root);
    }

    @Test
    void aHugePaxHeaderIsRefusedBeforeItIsBuffered() {
        byte[] tar = new TarBuilder().file("f", "x", 0644, 0, 0, Map.of("comment", "c".repeat(TarHeaderLimiter.MAX_SPECIAL + 10))).build();
        StorageException e = assertThrows(StorageException.class, () -> unpack(tar));
        assertTrue(e.getMessage().contains("PAX header"), e.getMessage());
    }

    @Test
    void aHugeGnuLongNameIsRefused() {
        byte[] tar = new byte[512 * 3];
        System.arraycopy(header("././@LongLink", 'L', TarHeaderLimiter.MAX_SPECIAL + 1), 0, tar, 0, 512);
        StorageException e = assertThrows(StorageException.class, () -> unpack(tar));
        assertTrue(e.getMessage().contains("GNU long name header"), e.getMessage());
    }

    /** A ustar header block with a correct checksum. */
    static byte[] header(String name, char type, long size) {
        byte[] block = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, block, 0, n.length);
        System.arraycopy("0000644\0".getBytes(StandardCharsets.US_ASCII), 0, block, 100, 8);
        System.arraycopy(String.format("%011o\0", size).getBytes(StandardCharsets.US_ASCII), 0, block, 124, 12);
        block[156] = (byte) type;
        System.arraycopy("ustar\00000".getBytes(StandardCharsets.US_ASCII), 0, block, 257, 8);
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : block[i] & 0xff;
        }
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 0, block, 148, 8);
        return block;
    }

    @Test
    void aStreamClaimingAGigabytePaxHeaderFailsWithoutReadingIt() throws IOException {
        // a header block announcing 1 GiB of PAX data, followed by an endless stream: must fail at once, not buffer
        byte[] block = header("PaxHeaders/f", 'x', 1L << 30);
        InputStream endless = new InputStream() {
            long n;

            @Override
            public int read() {
                return n < 512 ? block[(int) n++] & 0xff : 'a';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                for (int i = 0; i < len; i++) {
                    b[off + i] = (byte) read();
                }
                if (n > 64L << 20) {
                    throw new AssertionError("read far past the header: it is being buffered");
                }
                return len;
            }
        };
        Path root = Files.createDirectories(tmp.resolve("r2"));
        StorageException e = assertThrows(StorageException.class,
                () -> new LayerUnpacker(null, false).unpack(endless, root));
        assertTrue(e.getMessage().contains("1073741824 bytes"), e.getMessage());
    }

    @Test
    void normalPaxAndLongNamesStillUnpack() throws IOException {
        String longName = "d/" + "x".repeat(200) + "/" + "y".repeat(200);
        byte[] tar = new TarBuilder().file(longName, "long", 0644, 0, 0, Map.of("comment", "c".repeat(100_000)))
                .file("after", "next entry found, so tracking stayed in step").build();
        unpack(tar);
        assertEquals("long", Files.readString(tmp.resolve("root").resolve(longName)));
        assertEquals("next entry found, so tracking stayed in step", Files.readString(tmp.resolve("root/after")));
    }

    @Test
    void paxSizeRecordIsFound() {
        byte[] pax = "20 path=a/b/c/d/e/f\n16 size=1234567\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(1234567L, TarHeaderLimiter.paxSize(pax, pax.length));
        byte[] none = "12 path=abc\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(-1L, TarHeaderLimiter.paxSize(none, none.length));
    }
}
