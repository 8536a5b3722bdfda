package io.jpod.engine.build;

import io.jpod.engine.EngineException;
import io.jpod.engine.container.RootfsPath;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * Writes COPY/ADD content into a rootfs. Every destination is resolved inside the rootfs ({@link RootfsPath}), so a
 * symlink in the image never sends a write to the host; created directories get mode 0755; every written entry gets
 * the owner (0:0 unless --chown) and, with --chmod, that mode.
 */
final class RootfsCopier {
    private final Path root;
    private final int uid;
    private final int gid;
    private final Integer chmod;

    RootfsCopier(Path root, int uid, int gid, Integer chmod) {
        this.root = root;
        this.uid = uid;
        this.gid = gid;
        this.chmod = chmod;
    }

    boolean isDirectory(String containerPath) {
        return Files.isDirectory(RootfsPath.resolve(root, containerPath), LinkOption.NOFOLLOW_LINKS);
    }

    /** Creates the directory and its missing parents (owned as the copy), returns its host path. */
    Path mkdirs(String containerPath) throws IOException {
        String[] parts = containerPath.split("/");
        StringBuilder sofar = new StringBuilder();
        Path host = root;
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            sofar.append('/').append(part);
            host = RootfsPath.resolve(root, sofar.toString());
            if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                // the missing tail of a resolved path (a dangling link's target, too) holds no links: plain mkdirs
                java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
                for (Path p = host; p.startsWith(root) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
                    missing.push(p);
                }
                for (Path p : missing) {
                    Files.createDirectory(p);
                    Files.setAttribute(p, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
                    own(p);
                }
            } else if (!Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                throw new EngineException(sofar + " exists in the image and is not a directory");
            }
        }
        return host;
    }

    /** The host path for a new entry at containerPath: its parent resolved (and created), the last name as given. */
    private Path entry(String containerPath) throws IOException {
        int slash = containerPath.lastIndexOf('/');
        Path parent = mkdirs(slash <= 0 ? "/" : containerPath.substring(0, slash));
        String name = containerPath.substring(slash + 1);
        Path target = parent.resolve(name);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException("cannot copy a file onto the directory " + containerPath + " in the image");
        }
        Files.deleteIfExists(target);
        return target;
    }

    /** One file or symlink from the host to containerPath. */
    void copyFile(Path source, String containerPath) throws IOException {
        Path target = entry(containerPath);
        if (Files.isSymbolicLink(source)) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(source));
            own(target);
            return;
        }
        // not COPY_ATTRIBUTES: that would also copy the owner, which may be unmapped in jpod's user namespace
        Files.copy(source, target, LinkOption.NOFOLLOW_LINKS);
        finish(target, (Integer) Files.getAttribute(source, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        Files.setLastModifiedTime(target, Files.getLastModifiedTime(source, LinkOption.NOFOLLOW_LINKS));
    }

    void writeFile(String containerPath, String content) throws IOException {
        Path target = entry(containerPath);
        Files.writeString(target, content, StandardCharsets.UTF_8);
        finish(target, 0644);
    }

    /** The contents of a host directory into containerDir (Docker copies a directory's contents, not itself). */
    void copyTree(Path sourceDir, String containerDir, java.util.function.Predicate<Path> skip) throws IOException {
        mkdirs(containerDir);
        Files.walkFileTree(sourceDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(sourceDir) && skip.test(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Path host = mkdirs(join(containerDir, sourceDir.relativize(dir).toString()));
                finish(host, (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS));
                Files.setLastModifiedTime(host, attrs.lastModifiedTime());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!skip.test(file)) {
                    copyFile(file, join(containerDir, sourceDir.relativize(file).toString()));
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** ADD of a local archive (tar, optionally gzip/bzip2/xz): its entries under containerDir, confined to the rootfs. */
    void extract(Path archive, String containerDir) throws IOException {
        mkdirs(containerDir);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
             TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(raw))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = SourceFiles.clean(e.getName());
                if (name.isEmpty()) {
                    continue;
                }
                String path = join(containerDir, name);
                if (e.isDirectory()) {
                    finish(mkdirs(path), e.getMode() & 07777);
                    continue;
                }
                Path target = entry(path);
                if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else if (e.isLink()) {
                    Files.createLink(target, RootfsPath.resolve(root, join(containerDir, SourceFiles.clean(e.getLinkName()))));
                    continue;
                } else if (e.isFile()) {
                    Files.copy(tar, target);
                    finish(target, e.getMode() & 07777);
                    Files.setLastModifiedTime(target, FileTime.from(e.getModTime().toInstant()));
                    continue;
                } else {
                    continue; // devices and fifos are not created rootless
                }
                own(target);
            }
        }
    }

    /** Whether the file starts like a tar archive, plain or compressed (ADD extracts those). */
    static boolean isArchive(Path file) throws IOException {
        byte[] head = new byte[512];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return true;
        }
        if (n >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return true;
        }
        if (n >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z') {
            return true;
        }
        return n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        try {
            return new CompressorStreamFactory().createCompressorInputStream(raw);
        } catch (org.apache.commons.compress.compressors.CompressorException e) {
            return raw; // a plain tar
        }
    }

    private void finish(Path target, int sourceMode) throws IOException {
        own(target);
        Files.setAttribute(target, "unix:mode", chmod != null ? chmod : sourceMode & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    private void own(Path target) throws IOException {
        Files.setAttribute(target, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    static String join(String dir, String rel) {
        if (rel.isEmpty()) {
            return dir;
        }
        return dir.endsWith("/") ? dir + rel : dir + "/" + rel;
    }
}
