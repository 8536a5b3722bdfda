package io.jpod.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The changes of a container against its image, from its upper dir, as `podman diff` lists them: {@code A} added,
 * {@code C} changed (every name in the upper dir that also exists in the image, including directories copied up
 * because something below them changed), {@code D} deleted (a whiteout: a 0:0 device or a {@code .wh.} file). Under a
 * directory made opaque, everything is new. Sorted by path.
 */
public final class DiffWalker {
    /** One change: kind A, C or D and the absolute path in the container. */
    public record Change(char kind, String path) {
        @Override
        public String toString() {
            return kind + " " + path;
        }
    }

    private final List<Path> lowersTopFirst;

    private DiffWalker(List<Path> lowersTopFirst) {
        this.lowersTopFirst = lowersTopFirst;
    }

    public static List<Change> changes(Path upper, List<Path> lowersTopFirst) throws IOException {
        List<Change> out = new ArrayList<>();
        try (PinnedDir root = PinnedDir.open(upper)) {
            new DiffWalker(lowersTopFirst).walk(root.path(), "", false, out);
        }
        out.sort((a, b) -> a.path.compareTo(b.path));
        return out;
    }

    private void walk(Path dir, String rel, boolean underOpaque, List<Change> out) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(children::add);
        }
        for (Path c : children) {
            String name = c.getFileName().toString();
            String path = rel + "/" + name;
            if (name.equals(LayerUnpacker.OPAQUE_MARKER) || name.startsWith(LayerUnpacker.WHITEOUT_PREFIX + LayerUnpacker.WHITEOUT_PREFIX)) {
                continue;
            }
            if (name.startsWith(LayerUnpacker.WHITEOUT_PREFIX)) {
                out.add(new Change('D', rel + "/" + name.substring(LayerUnpacker.WHITEOUT_PREFIX.length())));
                continue;
            }
            Map<String, Object> st = Fs.unixStat(c);
            if (st == null) {
                continue;
            }
            int type = ((Integer) st.get("mode")) & Native.S_IFMT;
            if (type == Native.S_IFCHR && ((Long) st.get("rdev")) == 0L) {
                out.add(new Change('D', path));
                continue;
            }
            boolean inImage = !underOpaque && existsBelow(path);
            out.add(new Change(inImage ? 'C' : 'A', path));
            if (type == Native.S_IFDIR) {
                try (PinnedDir d = PinnedDir.open(c)) { // a running container may swap it for a symlink: never follow one
                    walk(d.path(), path, underOpaque || !inImage || VfsDriver.isOpaque(d.path()), out);
                }
            }
        }
    }

    /**
     * The changes of a full copy of the rootfs (the vfs driver keeps no upper dir) against the image, by comparing the
     * two trees: a name only in the copy is A (and so is everything below it), only in the image D, in both but of
     * another type, mode, owner, size, mtime or link target C.
     */
    public static List<Change> compare(Path rootfs, List<Path> lowersTopFirst) throws IOException {
        List<Change> out = new ArrayList<>();
        try (PinnedDir root = PinnedDir.open(rootfs)) {
            new DiffWalker(lowersTopFirst).compareDir(root.path(), "", true, out);
        }
        out.sort((a, b) -> a.path.compareTo(b.path));
        return out;
    }

    private void compareDir(Path dir, String rel, boolean lowerHasIt, List<Change> out) throws IOException {
        Map<String, Path> lower = lowerHasIt ? visibleEntries(rel) : Map.of();
        java.util.TreeSet<String> names = new java.util.TreeSet<>(lower.keySet());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        }
        for (String name : names) {
            String path = rel + "/" + name;
            Map<String, Object> mine = Fs.unixStat(dir.resolve(name));
            Path theirsPath = lower.get(name);
            Map<String, Object> theirs = theirsPath == null ? null : Fs.unixStat(theirsPath);
            if (mine == null) {
                if (theirs != null) {
                    out.add(new Change('D', path));
                }
                continue;
            }
            boolean isDir = (((Integer) mine.get("mode")) & Native.S_IFMT) == Native.S_IFDIR;
            if (theirs == null) {
                out.add(new Change('A', path));
            } else if (differs(dir.resolve(name), mine, theirsPath, theirs)) {
                out.add(new Change('C', path));
            }
            if (isDir) {
                boolean sameKind = theirs != null && (((Integer) theirs.get("mode")) & Native.S_IFMT) == Native.S_IFDIR;
                try (PinnedDir d = PinnedDir.open(dir.resolve(name))) {
                    compareDir(d.path(), path, sameKind, out);
                }
            }
        }
    }

    private static boolean differs(Path a, Map<String, Object> x, Path b, Map<String, Object> y) throws IOException {
        int mx = (Integer) x.get("mode");
        int my = (Integer) y.get("mode");
        if ((mx & Native.S_IFMT) != (my & Native.S_IFMT) || (mx & 07777) != (my & 07777) || !x.get("uid").equals(y.get("uid"))
                || !x.get("gid").equals(y.get("gid"))
                || !sameTime((java.nio.file.attribute.FileTime) x.get("lastModifiedTime"), (java.nio.file.attribute.FileTime) y.get("lastModifiedTime"))) {
            return true;
        }
        int type = mx & Native.S_IFMT;
        if (type == Native.S_IFREG) {
            return !x.get("size").equals(y.get("size"));
        }
        if (type == Native.S_IFLNK) {
            return !Files.readSymbolicLink(a).equals(Files.readSymbolicLink(b));
        }
        return false;
    }

    /**
     * Equal mtimes, where a time of lower precision (it went through a tar header) matches any time it is a truncation
     * of, as containers/storage's change detection treats times without nanoseconds.
     */
    static boolean sameTime(java.nio.file.attribute.FileTime a, java.nio.file.attribute.FileTime b) {
        java.time.Instant x = a.toInstant();
        java.time.Instant y = b.toInstant();
        if (x.getEpochSecond() != y.getEpochSecond()) {
            return false;
        }
        // compare at the coarser of the two precisions (tar headers keep seconds, PAX records 100 ns or less)
        int p = Math.max(trailingZeros(x.getNano()), trailingZeros(y.getNano()));
        int factor = 1;
        for (int i = 0; i < p; i++) {
            factor *= 10;
        }
        return x.getNano() / factor == y.getNano() / factor;
    }

    private static int trailingZeros(int nanos) {
        if (nanos == 0) {
            return 9;
        }
        int z = 0;
        while (nanos % 10 == 0) {
            nanos /= 10;
            z++;
        }
        return z;
    }

    /** The entries of directory {@code rel} as the image shows them: name → the path of the top-most visible one. */
    private Map<String, Path> visibleEntries(String rel) throws IOException {
        Map<String, Path> out = new java.util.TreeMap<>();
        java.util.Set<String> hidden = new java.util.HashSet<>();
        String[] comps = rel.isEmpty() ? new String[0] : rel.substring(1).split("/");
        for (Path layer : lowersTopFirst) {
            Path cur = layer;
            boolean present = true;
            boolean stop = false;
            for (int i = 0; i < comps.length; i++) {
                String c = comps[i];
                Path wh = cur.resolve(LayerUnpacker.WHITEOUT_PREFIX + c);
                cur = cur.resolve(c);
                BasicFileAttributes st = Fs.lstat(cur);
                if (st == null) {
                    present = false;
                    stop = Fs.lstat(wh) != null;
                    break;
                }
                if (!st.isDirectory()) {
                    present = false;
                    stop = true; // a whiteout or a file hides everything below this name
                    break;
                }
                if (i < comps.length - 1 && VfsDriver.isOpaque(cur)) {
                    stop = true; // deeper layers do not show through an opaque ancestor; this layer still counts
                }
            }
            if (present) {
                List<Path> children = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(cur)) {
                    ds.forEach(children::add);
                }
                for (Path c : children) {
                    String name = c.getFileName().toString();
                    if (name.startsWith(LayerUnpacker.WHITEOUT_PREFIX + LayerUnpacker.WHITEOUT_PREFIX)) {
                        continue;
                    }
                    if (name.startsWith(LayerUnpacker.WHITEOUT_PREFIX)) {
                        hidden.add(name.substring(LayerUnpacker.WHITEOUT_PREFIX.length()));
                        continue;
                    }
                    Map<String, Object> u = Fs.unixStat(c);
                    if (u != null && (((Integer) u.get("mode")) & Native.S_IFMT) == Native.S_IFCHR && ((Long) u.get("rdev")) == 0L) {
                        hidden.add(name);
                        continue;
                    }
                    if (!hidden.contains(name)) {
                        out.putIfAbsent(name, c);
                    }
                    hidden.add(name); // a lower layer's entry of the same name is covered by this one
                }
                if (VfsDriver.isOpaque(cur)) {
                    stop = true;
                }
            }
            if (stop) {
                break;
            }
        }
        return out;
    }

    /** Whether {@code path} exists in the image: looked up layer by layer from the top, honouring whiteouts. */
    private boolean existsBelow(String path) throws IOException {
        String[] comps = path.substring(1).split("/");
        for (Path layer : lowersTopFirst) {
            Path cur = layer;
            boolean stopBelow = false;
            for (int i = 0; i < comps.length; i++) {
                Path wh = cur.resolve(LayerUnpacker.WHITEOUT_PREFIX + comps[i]);
                cur = cur.resolve(comps[i]);
                BasicFileAttributes st = Fs.lstat(cur);
                if (st == null) {
                    if (Fs.lstat(wh) != null) {
                        return false; // whited out (.wh. file form)
                    }
                    break; // not in this layer: look further down
                }
                if (st.isOther()) {
                    Map<String, Object> u = Fs.unixStat(cur);
                    if (u != null && ((Long) u.get("rdev")) == 0L) {
                        return false; // whited out (0:0 device)
                    }
                }
                if (i == comps.length - 1) {
                    return true;
                }
                if (!st.isDirectory()) {
                    return false; // a non-directory hides everything below its name
                }
                if (VfsDriver.isOpaque(cur)) {
                    stopBelow = true; // the layers below do not show through this directory
                }
            }
            if (stopBelow) {
                return false;
            }
        }
        return false;
    }
}
