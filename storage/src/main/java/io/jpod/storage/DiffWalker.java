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
        new DiffWalker(lowersTopFirst).walk(upper, "", false, out);
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
                walk(c, path, underOpaque || !inImage || VfsDriver.isOpaque(c), out);
            }
        }
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
