package io.jpod.storage;

/**
 * Validation of ids that end up in paths. Everything coming from callers (and ultimately from registries and users) is
 * checked here before it is joined to a directory, so no id can name a path outside the store.
 */
final class Ids {
    private Ids() {
    }

    static boolean isHex(String s, int min, int max) {
        if (s == null || s.length() < min || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    static boolean isDigest(String s) {
        return s != null && s.startsWith("sha256:") && isHex(s.substring(7), 64, 64);
    }

    /** The 64 hex digits of a "sha256:<hex>" digest; StorageException naming {@code what} otherwise. */
    static String digestHex(String digest, String what) {
        if (!isDigest(digest)) {
            throw new StorageException("invalid " + what + " " + Fs.quote(String.valueOf(digest))
                    + ": expected sha256: followed by 64 lowercase hex digits");
        }
        return digest.substring(7);
    }

    /** Accepts "sha256:<hex>" or bare 64-hex and returns the hex. */
    static String imageHex(String id) {
        String hex = id != null && id.startsWith("sha256:") ? id.substring(7) : id;
        if (!isHex(hex, 64, 64)) {
            throw new StorageException("invalid image id " + Fs.quote(String.valueOf(id))
                    + ": expected sha256: followed by 64 lowercase hex digits");
        }
        return hex;
    }

    static String containerId(String id) {
        if (!isHex(id, 64, 64)) {
            throw new StorageException("invalid container id " + Fs.quote(String.valueOf(id)) + ": expected 64 lowercase hex digits");
        }
        return id;
    }
}
