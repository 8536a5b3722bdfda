package io.jpod.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Fills the placeholders of hard links into lower layers ({@link LayerUnpacker.LowerLink}) when a staged layer is
 * committed: the target is looked up in the rootfs as the lower layers make it (overlay's merge: the upper layer's
 * entry hides the lower ones; whiteouts, opaque directories and their {@code .wh.} fallback markers hide what is
 * below them), and the new layer gets its own copy of it. A hard link across layers cannot be an overlay hard link
 * (a lower layer's inode is shared by every image on it), so the copy is what the container sees, as with podman.
 *
 * <p>Confinement is the unpacker's: the walk starts at the layer roots and goes through real directories only; a
 * symlink met on the way is followed inside the rootfs when its target is relative and stays inside, and refused
 * when absolute or climbing above the root. The copy is read from a regular file of a committed layer (opened
 * without following links) and written into the placeholder inode this layer created, checked by its file key.
 */
final class LowerLinks {
    private static final int MAX_SYMLINKS = 40;

    private LowerLinks() {
    }

    /**
     * Fills every placeholder still in place in {@code diff} (a later entry may have replaced it).
     *
     * @param lowers the parent layers' diff dirs, topmost first
     * @return whether any file was written
     * @throws StorageException a target that is missing, not a file, or reached by leaving the rootfs
     */
    static boolean apply(Path diff, List<LayerUnpacker.LowerLink> links, List<Path> lowers, Ownership ownership) {
        boolean wrote = false;
        for (LayerUnpacker.LowerLink link : links) {
            Path placeholder = diff;
            for (String c : link.path()) {
                placeholder = placeholder.resolve(c);
            }
            try {
                BasicFileAttributes st = Fs.lstat(placeholder);
                if (st == null || !st.isRegularFile() || !link.fileKey().equals(st.fileKey())) {
                    continue; // replaced or removed by a later entry of the layer
                }
                Path target = resolve(lowers, link);
                BasicFileAttributes tst = Fs.lstat(target);
                if (tst.isSymbolicLink()) {
                    Path linkTarget = Files.readSymbolicLink(target);
                    Files.delete(placeholder);
                    Files.createSymbolicLink(placeholder, linkTarget);
                    ownership.chown(placeholder, link.uid(), link.gid(), what(link));
                } else {
                    try (InputStream in = Files.newInputStream(target, Fs.NOFOLLOW);
                         OutputStream out = Files.newOutputStream(placeholder, StandardOpenOption.WRITE,
                                 StandardOpenOption.TRUNCATE_EXISTING, Fs.NOFOLLOW)) {
                        in.transferTo(out);
                    }
                    ownership.chown(placeholder, link.uid(), link.gid(), what(link));
                    String failure = Native.chmod(placeholder, link.mode());
                    if (failure != null) {
                        throw new StorageException(what(link) + ": cannot set mode: " + failure + "; check the storage directory");
                    }
                    if (link.mtime() != null) {
                        Native.setTimes(placeholder, link.mtime(), link.atime(), false);
                    }
                }
                wrote = true;
            } catch (IOException e) {
                throw new StorageException(what(link) + ": cannot copy hardlink target " + Fs.quote(link.linkName())
                        + " from a lower layer: " + Fs.describe(e) + "; check free space and the storage directory", e);
            }
        }
        return wrote;
    }

    private static String what(LayerUnpacker.LowerLink link) {
        return "layer entry " + Fs.quote(link.entryName());
    }

    /** The topmost lower-layer path of the link's target: a regular file or a symlink. */
    static Path resolve(List<Path> lowers, LayerUnpacker.LowerLink link) throws IOException {
        String name = link.entryName();
        Deque<String> pending = new ArrayDeque<>(link.target());
        List<String> real = new ArrayList<>();
        List<Path> dirs = new ArrayList<>(lowers); // the directory `real` in each layer where it shows, topmost first
        int links = 0;
        while (!pending.isEmpty()) {
            String c = pending.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                // only from a symlink's target: climb one real directory, never above the root
                if (real.isEmpty()) {
                    throw LayerUnpacker.refuse(name, "hardlink target " + Fs.quote(link.linkName())
                            + " goes through a symlink of a lower layer that leads outside the rootfs");
                }
                real.remove(real.size() - 1);
                dirs = visibleDirs(lowers, real);
                continue;
            }
            Top top = top(dirs, c);
            if (top == null) {
                throw notFound(link);
            }
            boolean last = pending.isEmpty();
            if (top.attrs.isSymbolicLink() && !last) {
                if (++links > MAX_SYMLINKS) {
                    throw LayerUnpacker.refuse(name, "too many levels of symbolic links resolving hardlink target " + Fs.quote(link.linkName()));
                }
                String t = Files.readSymbolicLink(top.path).toString();
                if (t.startsWith("/")) {
                    throw LayerUnpacker.refuse(name, "hardlink target " + Fs.quote(link.linkName()) + " goes through symlink "
                            + Fs.quote(String.join("/", real) + (real.isEmpty() ? "" : "/") + c) + " -> " + Fs.quote(t)
                            + " of a lower layer, which points outside the rootfs");
                }
                String[] parts = t.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    pending.addFirst(parts[i]);
                }
                continue;
            }
            if (last) {
                if (top.attrs.isDirectory()) {
                    throw LayerUnpacker.refuse(name, "hardlink to a directory " + Fs.quote(link.linkName()));
                }
                if (!top.attrs.isRegularFile() && !top.attrs.isSymbolicLink()) {
                    throw LayerUnpacker.refuse(name, "hardlink target " + Fs.quote(link.linkName())
                            + " in a lower layer is not a regular file or symlink");
                }
                return top.path;
            }
            if (!top.attrs.isDirectory()) {
                throw notFound(link);
            }
            real.add(c);
            dirs = below(dirs, c);
        }
        throw LayerUnpacker.refuse(name, "hardlink to the rootfs root");
    }

    private static StorageException notFound(LayerUnpacker.LowerLink link) {
        return LayerUnpacker.refuse(link.entryName(), "hardlink target " + Fs.quote(link.linkName())
                + " is neither an earlier entry of this layer nor a file of the layers below it");
    }

    private record Top(Path path, BasicFileAttributes attrs) {
    }

    /** The entry {@code c} shows in the merged directory made of {@code dirs}, or null (absent or whited out). */
    private static Top top(List<Path> dirs, String c) throws IOException {
        for (Path d : dirs) {
            Path p = d.resolve(c);
            BasicFileAttributes st = Fs.lstat(p);
            if (isWhiteout(p, st) || Fs.lstat(d.resolve(LayerUnpacker.WHITEOUT_PREFIX + c)) != null) {
                return null;
            }
            if (st != null) {
                return new Top(p, st);
            }
        }
        return null;
    }

    /** The directories that make up {@code dirs/c} in the merge: down to the first opaque one or non-directory. */
    private static List<Path> below(List<Path> dirs, String c) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            Path p = d.resolve(c);
            BasicFileAttributes st = Fs.lstat(p);
            if (isWhiteout(p, st) || Fs.lstat(d.resolve(LayerUnpacker.WHITEOUT_PREFIX + c)) != null) {
                break;
            }
            if (st == null) {
                continue;
            }
            if (!st.isDirectory()) {
                break; // a file under a directory of an upper layer is hidden by it
            }
            out.add(p);
            if (isOpaque(p)) {
                break;
            }
        }
        return out;
    }

    private static List<Path> visibleDirs(List<Path> lowers, List<String> real) throws IOException {
        List<Path> dirs = new ArrayList<>(lowers);
        for (String c : real) {
            dirs = below(dirs, c);
        }
        return dirs;
    }

    private static boolean isWhiteout(Path p, BasicFileAttributes st) throws IOException {
        if (st == null || !st.isOther()) {
            return false;
        }
        Map<String, Object> u = Files.readAttributes(p, "unix:mode,rdev", Fs.NOFOLLOW);
        return (((Integer) u.get("mode")) & Native.S_IFMT) == Native.S_IFCHR && ((Long) u.get("rdev")) == 0L;
    }

    private static boolean isOpaque(Path dir) throws IOException {
        if (Fs.lstat(dir.resolve(LayerUnpacker.OPAQUE_MARKER)) != null) {
            return true;
        }
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
            String attr = LayerUnpacker.OPAQUE_XATTR.substring("user.".length());
            if (!view.list().contains(attr)) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(view.size(attr));
            view.read(attr, b);
            return b.position() == 1 && b.get(0) == 'y';
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
