package io.jpod.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 helpers; jpod only supports sha256 digests. */
final class Digests {
    private Digests() {
    }

    static final String SHA256_PREFIX = "sha256:";

    /** "sha256:" followed by exactly 64 lowercase hex digits. */
    static boolean isSha256(String digest) {
        if (digest == null || digest.length() != 71 || !digest.startsWith(SHA256_PREFIX)) {
            return false;
        }
        for (int i = 7; i < 71; i++) {
            char c = digest.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    static String sha256(byte[] bytes) {
        return SHA256_PREFIX + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    static String format(MessageDigest sha256) {
        return SHA256_PREFIX + HexFormat.of().formatHex(sha256.digest());
    }

    /** The 12-hex-digit short form podman prints: "sha256:1a2b3c4d5e6f..." → "1a2b3c4d5e6f". */
    static String shortHex(String digest) {
        String hex = digest.startsWith(SHA256_PREFIX) ? digest.substring(SHA256_PREFIX.length()) : digest;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    static String hex(String digest) {
        return digest.startsWith(SHA256_PREFIX) ? digest.substring(SHA256_PREFIX.length()) : digest;
    }
}
