package io.jpod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestVerifyingInputStreamTest {
    private static final byte[] DATA = "hello, layer".getBytes(StandardCharsets.UTF_8);
    private static final String DIGEST = Digests.sha256(DATA);

    @Test
    void passesMatchingContent() throws IOException {
        DigestVerifyingInputStream in = new DigestVerifyingInputStream(new ByteArrayInputStream(DATA), DIGEST, DATA.length);
        assertArrayEquals(DATA, in.readAllBytes());
        assertTrue(in.verified());
        assertEquals(-1, in.read());
    }

    @Test
    void mismatchDetectedAtEofNotBefore() throws IOException {
        byte[] corrupt = DATA.clone();
        corrupt[3] ^= 1;
        DigestVerifyingInputStream in = new DigestVerifyingInputStream(new ByteArrayInputStream(corrupt), DIGEST, DATA.length);
        byte[] buf = new byte[DATA.length];
        assertEquals(DATA.length, in.readNBytes(buf, 0, DATA.length)); // all bytes flow through
        assertFalse(in.verified());
        ContentMismatchException e = assertThrows(ContentMismatchException.class, in::read);
        assertEquals("blob " + DIGEST + ": downloaded content has digest " + Digests.sha256(corrupt) + "; the registry sent corrupt data",
                e.getMessage());
        // stays failed
        assertThrows(ContentMismatchException.class, in::read);
    }

    @Test
    void shortContent() {
        DigestVerifyingInputStream in = new DigestVerifyingInputStream(new ByteArrayInputStream(DATA, 0, 5), DIGEST, DATA.length);
        ContentMismatchException e = assertThrows(ContentMismatchException.class, in::readAllBytes);
        assertTrue(e.getMessage().contains("the registry sent 5 bytes, the manifest declares " + DATA.length), e.getMessage());
    }

    @Test
    void tooLongContentFailsAsSoonAsItExceeds() {
        byte[] longer = new byte[1000];
        DigestVerifyingInputStream in = new DigestVerifyingInputStream(new ByteArrayInputStream(longer), DIGEST, 10);
        ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> in.readNBytes(100));
        assertTrue(e.getMessage().contains("more than the 10 bytes"), e.getMessage());
    }

    @Test
    void drainVerifiesWhatTheConsumerLeft() throws IOException {
        DigestVerifyingInputStream in = new DigestVerifyingInputStream(new ByteArrayInputStream(DATA), DIGEST, DATA.length);
        in.readNBytes(4);
        in.drainAndVerify();
        assertTrue(in.verified());
        in.drainAndVerify(); // idempotent
    }

    @Test
    void skippedBytesAreHashed() throws IOException {
        DigestVerifyingInputStream in = new DigestVerifyingInputStream(new ByteArrayInputStream(DATA), DIGEST, DATA.length);
        assertEquals(4, in.skip(4));
        in.drainAndVerify();
        assertTrue(in.verified());
    }
}
