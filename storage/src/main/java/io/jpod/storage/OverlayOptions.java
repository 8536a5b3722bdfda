package io.jpod.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared by the two overlay drivers: option strings and the preparation of the upper dir. */
final class OverlayOptions {
    private OverlayOptions() {
    }

    /** Overlay option values cannot carry ',' (option separator) or ':' (lowerdir separator); refuse rather than escape. */
    static String checked(Path p, String what) {
        String s = p.toAbsolutePath().normalize().toString();
        if (s.indexOf(',') >= 0 || s.indexOf(':') >= 0 || s.indexOf('\n') >= 0) {
            throw new StorageException("the " + what + " path " + s + " contains ',' or ':', which overlay mount options"
                    + " cannot express; use a storage root without them (--root)");
        }
        return s;
    }

    static void checkArgs(List<Path> lowers, Path upper, Path work, Path target) {
        if (lowers == null || lowers.isEmpty()) {
            throw new IllegalArgumentException("at least one lower dir is required");
        }
        for (Path p : new Path[] {upper, work, target}) {
            if (p == null || !Files.isDirectory(p)) {
                throw new StorageException("cannot mount the rootfs: " + p + " is not a directory; the container's storage is damaged, remove the container");
            }
        }
        for (Path l : lowers) {
            if (!Files.isDirectory(l)) {
                throw new StorageException("cannot mount the rootfs: layer directory " + l + " is missing; remove the image and pull it again");
            }
        }
        if (Mounts.isMountPoint(target)) {
            throw new StorageException(target + " is already mounted; unmount it first");
        }
    }

    /**
     * The root of the merged view takes its mode and owner from the upper dir, so a fresh (empty) upper dir gets those
     * of the top layer's root; otherwise a 0700 upper would make "/" unusable for non-root container users.
     */
    static void prepareUpper(Path topLower, Path upper) {
        try {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(upper)) {
                if (ds.iterator().hasNext()) {
                    return; // the container changed its rootfs already: keep what it did
                }
            }
            Map<String, Object> st = Fs.unixStat(topLower);
            if (st == null) {
                return;
            }
            // NIO rather than jnr: this runs on every `jpod run`, and loading jnr costs start-up time
            try {
                Files.setAttribute(upper, "unix:uid", st.get("uid"), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(upper, "unix:gid", st.get("gid"), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                // best effort: without privileges the upper dir stays ours
            }
            Files.setAttribute(upper, "unix:mode", ((Integer) st.get("mode")) & 07777, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new StorageException("cannot prepare " + upper + ": " + Fs.describe(e));
        }
    }
}
