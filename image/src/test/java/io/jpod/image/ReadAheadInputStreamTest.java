package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {
    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    @Test
    void passesEveryByteInOrder() throws IOException {
        byte[] data = random(3 * 1024 * 1024 + 17);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), "t")) {
            out.write(in.read()); // single bytes and buffers mixed
            byte[] buf = new byte[7000];
            int n;
            while ((n = in.read(buf, 0, buf.length)) >= 0) {
                out.write(buf, 0, n);
            }
            assertEquals(-1, in.read());
        }
        assertArrayEquals(data, out.toByteArray());
    }

    @Test
    void theSourcesFailureArrivesAfterTheBytesBeforeIt() throws IOException {
        byte[] data = random(600 * 1024);
        IOException cut = new IOException("connection reset");
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(data), new InputStream() {
            @Override
            public int read() throws IOException {
                throw cut;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw cut;
            }
        });
        try (ReadAheadInputStream in = new ReadAheadInputStream(failing, "t")) {
            byte[] got = in.readNBytes(data.length);
            assertArrayEquals(data, got);
            IOException e = assertThrows(IOException.class, in::read);
            assertSame(cut, e, "the same exception object, so callers can look at its type and causes");
        }
    }

    @Test
    void drainReadsTheSourceToItsEnd() throws IOException {
        byte[] data = random(1024 * 1024);
        ByteArrayInputStream source = new ByteArrayInputStream(data);
        try (ReadAheadInputStream in = new ReadAheadInputStream(source, "t")) {
            in.readNBytes(1000);
            in.drain();
            assertEquals(0, source.available());
            assertEquals(-1, in.read());
        }
    }

    @Test
    void closeStopsAReaderBlockedInTheSource() {
        CountDownLatch reading = new CountDownLatch(1);
        InputStream stuck = new InputStream() {
            @Override
            public int read() throws IOException {
                return read(new byte[1], 0, 1);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                reading.countDown();
                try {
                    new CountDownLatch(1).await(); // until interrupted
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("interrupted");
                }
                return -1;
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            ReadAheadInputStream in = new ReadAheadInputStream(stuck, "t");
            reading.await();
            in.close();
            assertThrows(IOException.class, in::read);
        });
    }
}
