package io.jpod.image;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes everything read through it and, at EOF, checks size and sha256 against the descriptor
 * (throwing {@link ContentMismatchException}). Reading more than the declared size fails at once,
 * so a misbehaving server cannot make us consume an endless stream.
 */
final class DigestVerifyingInputStream extends io.jpod.storage.ReadThroughInputStream {
    private final String expectedDigest;
    private final long expectedSize;
    private final MessageDigest sha256 = Digests.newSha256();
    private long count;
    private boolean verified;
    private String failure; // once verification failed, every further read fails the same way

    DigestVerifyingInputStream(InputStream in, String expectedDigest, long expectedSize) {
        super(in);
        this.expectedDigest = expectedDigest;
        this.expectedSize = expectedSize;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (verified) {
            return -1;
        }
        if (failure != null) {
            throw new ContentMismatchException(failure);
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        if (count + n > expectedSize) {
            failure = "blob " + expectedDigest + ": the registry sent more than the " + expectedSize
                    + " bytes the manifest declares; the registry sent corrupt data";
            throw new ContentMismatchException(failure);
        }
        sha256.update(b, off, n);
        count += n;
        return n;
    }

    /** Reads what the consumer left (a decompressor may stop before the end) and verifies; idempotent. */
    void drainAndVerify() throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (read(buf, 0, buf.length) >= 0) {
            // discard
        }
    }

    boolean verified() {
        return verified;
    }

    long count() {
        return count;
    }

    private void verify() throws ContentMismatchException {
        String actual = Digests.format(sha256);
        if (count != expectedSize) {
            failure = "blob " + expectedDigest + ": the registry sent " + count + " bytes, the manifest declares "
                    + expectedSize + "; the registry sent corrupt data";
        } else if (!actual.equals(expectedDigest)) {
            failure = "blob " + expectedDigest + ": downloaded content has digest " + actual + "; the registry sent corrupt data";
        }
        if (failure != null) {
            throw new ContentMismatchException(failure);
        }
        verified = true;
    }
}
