package io.jpod.engine.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;

/**
 * What running a container leaves in its rootfs that is not the command's doing: the empty mount points the run
 * machinery creates for /etc/hosts, /etc/resolv.conf, /etc/hostname, /proc, /dev, /sys (and /etc itself when it
 * was made only for them). A RUN step's layer must not carry them, as buildah's and Docker's do not.
 */
final class RunArtifacts {
    private static final List<String> MOUNT_POINTS = List.of("etc/hosts", "etc/resolv.conf", "etc/hostname", "proc", "dev", "sys",
            "run/.containerenv");

    private RunArtifacts() {
    }

    /**
     * Removes from changes the empty mount points no lower layer has. fullCopy: changes is a vfs rootfs copy (every
     * lower file is in it), else an overlay upper dir (only the changes are).
     */
    static void strip(Path changes, List<Path> lowers, boolean fullCopy) throws IOException {
        strip(changes, lowers, fullCopy, List.of());
    }

    /**
     * As above, and also the mount points of the step's own mounts (RUN --mount, -v, secrets: container paths), with
     * the directories made only to hold them; a parent the image has goes only when the upper dir holds nothing of
     * it but that copy-up.
     */
    static void strip(Path changes, List<Path> lowers, boolean fullCopy, List<String> targets) throws IOException {
        for (String t : targets) {
            String rel = t.replaceFirst("^/+", "");
            while (!rel.isEmpty()) {
                Path entry = io.jpod.engine.container.RootfsPath.resolve(changes, rel);
                boolean inImage = inLowers(lowers, rel);
                if (!isEmpty(entry) || (inImage && (fullCopy || hasXattrs(entry)))) {
                    break;
                }
                Files.delete(entry);
                int slash = rel.lastIndexOf('/');
                rel = slash < 0 ? "" : rel.substring(0, slash);
            }
        }

        for (String p : MOUNT_POINTS) {
            Path entry = changes.resolve(p);
            if (!inLowers(lowers, p) && isEmpty(entry)) {
                Files.delete(entry);
            }
        }
        Path etc = changes.resolve("etc");
        boolean etcInLowers = inLowers(lowers, "etc");
        // a new /etc that held only mount points goes; in an upper dir, an empty /etc without the opaque xattr only
        // records the copy-up those mount points caused
        if (isEmpty(etc) && (!etcInLowers || (!fullCopy && !hasXattrs(etc)))) {
            Files.delete(etc);
        }
    }

    private static boolean inLowers(List<Path> lowers, String p) {
        return lowers.stream().anyMatch(l -> Files.exists(l.resolve(p), LinkOption.NOFOLLOW_LINKS));
    }

    private static boolean isEmpty(Path entry) throws IOException {
        if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            return Files.size(entry) == 0;
        }
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(entry)) {
                return s.findAny().isEmpty();
            }
        }
        return false;
    }

    private static boolean hasXattrs(Path dir) {
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            return v != null && !v.list().isEmpty();
        } catch (IOException | UnsupportedOperationException e) {
            return true; // unknown: keep it
        }
    }
}
