package io.jpod.tests.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A content-addressed blob as a registry stores it: its bytes, their digest and the media type it is referenced by. */
public record Blob(String mediaType, String digest, byte[] bytes) {

    public static Blob of(String mediaType, byte[] bytes) {
        return new Blob(mediaType, sha256(bytes), bytes);
    }

    public long size() {
        return bytes.length;
    }

    /** "sha256:&lt;hex&gt;" of the bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "Blob[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
    }
}
