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
final class HostTar {
    static final String TOP = "top";
    private static final LinkOption[] NOFOLLOW = { LinkOption.NOFOLLOW_LINKS };

    private HostTar() {
    }

    /** Writes {@code src} (not following symlinks) as a tar whose top entry is named {@code top}. */
    static void write(Path src, String top, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                put(tar, dir, name(dir), attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    put(tar, file, name(file), attrs);
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

    private static void put(TarArchiveOutputStream tar, Path p, String name, BasicFileAttributes attrs) throws IOException {
        TarArchiveEntry e;
        if (attrs.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else {
            e = new TarArchiveEntry(attrs.isDirectory() ? name + "/" : name);
            e.setSize(attrs.isRegularFile() ? attrs.size() : 0);
        }
        e.setModTime(attrs.lastModifiedTime());
        e.setUserId(((Number) Files.getAttribute(p, "unix:uid", NOFOLLOW)).longValue() & 0xffffffffL);
        e.setGroupId(((Number) Files.getAttribute(p, "unix:gid", NOFOLLOW)).longValue() & 0xffffffffL);
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
     * of a file is replaced, one in the way of a directory is an error). Files are the caller's, not the
     * container's owner's.
     */
    static void extract(InputStream in, Path target) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            Path p = place(target, e.getName());
            Path parent = p.getParent();
            if (parent != null && !Files.isDirectory(parent, NOFOLLOW)) {
                throw new IOException(parent + " is not a directory (or is a symbolic link); refusing to copy into it");
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
