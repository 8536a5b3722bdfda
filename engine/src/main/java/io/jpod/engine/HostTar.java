package io.jpod.engine;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The host side of `jpod cp`: a host tree as the tar stream the helper's copy-in extracts, and the helper's
 * copy-out stream extracted onto the host. The subset is the helper's (copy.c): regular files, directories and
 * symlinks, PAX for long names and big sizes; the top entry is named {@code top}.
 */
public final class HostTar {
    public static final String TOP = "top";
    private static final LinkOption[] NOFOLLOW = { LinkOption.NOFOLLOW_LINKS };

    private HostTar() {
    }

    /** The owner every entry of a stream into a container gets (cp --archive: the container user's ids). */
    public record Owner(long uid, long gid) {
    }

    /** The host destination of a directory is an existing non-directory. */
    public static final class DestinationNotDirectory extends IOException {
        DestinationNotDirectory(Path p) {
            super(p + " is not a directory");
        }
    }

    /** A directory where a non-directory goes, or the other way round, without overwrite. */
    public static final class TypeConflict extends IOException {
        private final String shown;

        TypeConflict(String shown) {
            super(shown + ": file exists");
            this.shown = shown;
        }

        /** The path as podman names it: from the destination directory, with a leading "/". */
        public String shown() {
            return shown;
        }
    }

    private static TarArchiveOutputStream writer(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }

    /**
     * A tar the user gives on stdin (plain or compressed, as podman detects it), positioned at its start;
     * an IOException when it is not a tar.
     */
    public static InputStream openUserTar(InputStream stdin) throws IOException {
        InputStream in = new java.io.BufferedInputStream(stdin, 65536);
        try {
            String kind = org.apache.commons.compress.compressors.CompressorStreamFactory.detect(in);
            in = new java.io.BufferedInputStream(new org.apache.commons.compress.compressors.CompressorStreamFactory()
                    .createCompressorInputStream(kind, in), 65536);
        } catch (org.apache.commons.compress.compressors.CompressorException e) {
            // not compressed (or a compression we do not read): taken as a plain tar, checked below
        }
        byte[] head = new byte[512];
        in.mark(head.length);
        int n = in.readNBytes(head, 0, head.length);
        in.reset();
        if (n < head.length || !TarArchiveInputStream.matches(head, n)) {
            throw new IOException("not a tar archive");
        }
        return in;
    }

    /**
     * Copies a tar stream entry by entry into the helper's subset (files, directories, symlinks, hard links;
     * anything else is left out): the top name "top" becomes {@code renameTop} (null: kept), and with
     * {@code owner} every entry gets that owner.
     */
    public static void relay(InputStream in, OutputStream out, String renameTop, Owner owner) throws IOException {
        TarArchiveInputStream src = new TarArchiveInputStream(in);
        TarArchiveOutputStream tar = writer(out);
        for (TarArchiveEntry e; (e = src.getNextEntry()) != null; ) {
            if (!(e.isFile() || e.isDirectory() || e.isSymbolicLink() || e.isLink())) {
                continue;
            }
            String name = e.getName();
            if (renameTop != null && (name.equals(TOP) || name.startsWith(TOP + "/"))) {
                name = renameTop + name.substring(TOP.length());
            }
            TarArchiveEntry copy;
            if (e.isSymbolicLink() || e.isLink()) {
                copy = new TarArchiveEntry(name, e.isLink() ? TarConstants.LF_LINK : TarConstants.LF_SYMLINK);
                String link = e.getLinkName();
                if (e.isLink() && renameTop != null && (link.equals(TOP) || link.startsWith(TOP + "/"))) {
                    link = renameTop + link.substring(TOP.length());
                }
                copy.setLinkName(link);
            } else {
                copy = new TarArchiveEntry(e.isDirectory() && !name.endsWith("/") ? name + "/" : name);
                copy.setSize(e.isFile() ? e.getSize() : 0);
            }
            copy.setModTime(e.getModTime());
            copy.setMode(e.getMode() & 07777);
            copy.setUserId(owner != null ? owner.uid() : e.getLongUserId());
            copy.setGroupId(owner != null ? owner.gid() : e.getLongGroupId());
            tar.putArchiveEntry(copy);
            if (e.isFile()) {
                long copied = src.transferTo(tar);
                if (copied != e.getSize()) {
                    throw new IOException("the tar stream ended in the middle of " + e.getName());
                }
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
    }

    /** Writes {@code src} (not following symlinks) as a tar whose top entry is named {@code top}. */
    public static void write(Path src, String top, OutputStream out, Owner owner) throws IOException {
        TarArchiveOutputStream tar = writer(out);
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                put(tar, dir, name(dir), attrs, owner);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    put(tar, file, name(file), attrs, owner);
                }
                return FileVisitResult.CONTINUE; // devices, fifos and sockets are not copied
            }

            private String name(Path p) {
                String rel = src.relativize(p).toString();
                return rel.isEmpty() ? top : top + "/" + rel;
            }
        });
        tar.finish();
        tar.flush();
    }

    private static void put(TarArchiveOutputStream tar, Path p, String name, BasicFileAttributes attrs, Owner owner) throws IOException {
        TarArchiveEntry e;
        if (attrs.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else {
            e = new TarArchiveEntry(attrs.isDirectory() ? name + "/" : name);
            e.setSize(attrs.isRegularFile() ? attrs.size() : 0);
        }
        e.setModTime(attrs.lastModifiedTime());
        e.setUserId(owner != null ? owner.uid() : ((Number) Files.getAttribute(p, "unix:uid", NOFOLLOW)).longValue() & 0xffffffffL);
        e.setGroupId(owner != null ? owner.gid() : ((Number) Files.getAttribute(p, "unix:gid", NOFOLLOW)).longValue() & 0xffffffffL);
        e.setMode(((Number) Files.getAttribute(p, "unix:mode", NOFOLLOW)).intValue() & 07777);
        tar.putArchiveEntry(e);
        if (attrs.isRegularFile()) {
            try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
                long copied = in.transferTo(tar);
                if (copied != attrs.size()) {
                    throw new IOException(p + " changed size while it was copied");
                }
            }
        }
        tar.closeArchiveEntry();
    }

    /**
     * Extracts the helper's copy-out stream: its top entry becomes {@code target}, the rest goes below it. Entry
     * names must be relative without "..", and nothing is written through a symlink (an existing one in the way
     * of a file is replaced, one in the way of a directory is an error). A directory where a non-directory goes,
     * or the other way round, is replaced only with {@code overwrite} (else {@link TypeConflict}); a directory
     * onto the destination itself when it is a non-directory is {@link DestinationNotDirectory}.
     * {@code destDir}: the directory the user named when {@code target} is a new name in it (null: target is
     * what the user named). Files are the caller's, not the container's owner's.
     */
    public static void extract(InputStream in, Path target, Path destDir, boolean overwrite) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        Path shownFrom = destDir != null ? destDir : target.toAbsolutePath().getParent();
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            Path p = place(target, e.getName());
            Path parent = p.getParent();
            if (parent != null && !Files.isDirectory(parent, NOFOLLOW)) {
                throw new IOException(parent + " is not a directory (or is a symbolic link); refusing to copy into it");
            }
            boolean exists = Files.exists(p, NOFOLLOW);
            boolean isDir = Files.isDirectory(p, NOFOLLOW);
            if (exists && e.isDirectory() != isDir) {
                if (e.isDirectory() && p.equals(target) && destDir == null) {
                    throw new DestinationNotDirectory(p);
                }
                if (!overwrite) {
                    throw new TypeConflict("/" + shownFrom.relativize(p.toAbsolutePath()));
                }
                deleteTree(p);
            }
            if (e.isDirectory()) {
                if (!Files.isDirectory(p, NOFOLLOW)) {
                    Files.createDirectory(p);
                }
            } else if (e.isSymbolicLink()) {
                deleteNonDirectory(p);
                Files.createSymbolicLink(p, Path.of(e.getLinkName()));
                continue;
            } else if (e.isFile()) {
                deleteNonDirectory(p);
                Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
            } else {
                throw new IOException("unexpected entry " + e.getName() + " in the copy stream");
            }
            Files.setPosixFilePermissions(p, permissions(e.getMode()));
            Files.setLastModifiedTime(p, FileTime.from(e.getModTime().toInstant()));
        }
    }

    /**
     * Extracts a tar the user gives (volume import) into {@code dir}: names taken relative ("./" and a leading "/"
     * dropped, ".." refused), missing parent directories made, nothing written through a symlink (a parent that is
     * one is an error, a symlink in the way of a file is replaced), hard links only to entries inside {@code dir}.
     * Owners and modes as the tar has them (owners best effort).
     */
    public static void extractInto(InputStream userTar, Path dir) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(userTar);
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            Path p = dir;
            for (String c : e.getName().split("/")) {
                if (c.isEmpty() || c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    throw new IOException("the tar entry " + e.getName() + " names a path above the volume");
                }
                Path parent = p;
                p = p.resolve(c);
                if (!parent.equals(dir) && !Files.isDirectory(parent, NOFOLLOW)) {
                    if (Files.exists(parent, NOFOLLOW)) {
                        throw new IOException(parent + " is not a directory (or is a symbolic link); refusing to extract into it");
                    }
                    Files.createDirectory(parent);
                }
            }
            if (p.equals(dir)) {
                continue;
            }
            if (e.isDirectory()) {
                if (!Files.isDirectory(p, NOFOLLOW)) {
                    deleteNonDirectory(p);
                    Files.createDirectory(p);
                }
            } else if (e.isSymbolicLink()) {
                deleteNonDirectory(p);
                Files.createSymbolicLink(p, Path.of(e.getLinkName()));
                continue;
            } else if (e.isLink()) {
                Path target = dir.resolve(e.getLinkName().replaceFirst("^(\\./|/)+", "")).normalize();
                if (!target.startsWith(dir) || !Files.isRegularFile(target, NOFOLLOW)) {
                    throw new IOException("the hard link " + e.getName() + " names " + e.getLinkName() + ", not a file of the volume");
                }
                deleteNonDirectory(p);
                Files.createLink(p, target);
                continue;
            } else if (e.isFile()) {
                deleteNonDirectory(p);
                Files.copy(tar, p);
            } else {
                continue; // devices, fifos: not extracted
            }
            Files.setPosixFilePermissions(p, permissions(e.getMode()));
            Files.setLastModifiedTime(p, FileTime.from(e.getModTime().toInstant()));
            try {
                Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
                Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
            } catch (IOException | RuntimeException ignored) {
                // an id outside the user namespace: the caller's
            }
        }
    }

    /** Removes p and, for a directory, everything in it; symlinks are removed, never followed. */
    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, NOFOLLOW)) {
            try (var children = Files.list(p)) {
                for (Path c : (Iterable<Path>) children::iterator) {
                    deleteTree(c);
                }
            }
        }
        Files.delete(p);
    }

    private static Path place(Path target, String name) throws IOException {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        if (n.equals(TOP)) {
            return target;
        }
        if (!n.startsWith(TOP + "/")) {
            throw new IOException("unexpected entry " + name + " in the copy stream");
        }
        Path p = target;
        for (String c : n.substring(TOP.length() + 1).split("/")) {
            if (c.isEmpty() || c.equals(".") || c.equals("..")) {
                throw new IOException("unexpected entry " + name + " in the copy stream");
            }
            p = p.resolve(c);
        }
        return p;
    }

    private static void deleteNonDirectory(Path p) throws IOException {
        if (Files.exists(p, NOFOLLOW) && !Files.isDirectory(p, NOFOLLOW)) {
            Files.delete(p);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE: bits 8 … 0
        for (int i = 0; i < all.length; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                s.add(all[i]);
            }
        }
        return s;
    }
}
