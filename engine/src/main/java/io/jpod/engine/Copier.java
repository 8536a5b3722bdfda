package io.jpod.engine;

import io.jpod.storage.ContainerRecord;
import io.jpod.storage.Store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * `jpod cp`: copies between the host and a container's rootfs (mounted for the copy when the container is
 * stopped). Container paths are resolved inside the rootfs ({@link RootfsPath}), so an image's symlinks never
 * lead outside it.
 */
final class Copier {
    private final Store store;
    private final Lifecycle lifecycle;

    Copier(Store store, Lifecycle lifecycle) {
        this.store = store;
        this.lifecycle = lifecycle;
    }

    void copy(String source, String destination) {
        int s = containerPart(source);
        int d = containerPart(destination);
        if ((s < 0) == (d < 0)) {
            throw new EngineException("cp copies between a container and the host: give exactly one of source and destination as CONTAINER:PATH");
        }
        String spec = s >= 0 ? source : destination;
        int colon = s >= 0 ? s : d;
        ContainerRecord c = lifecycle.current(spec.substring(0, colon));
        String inside = spec.substring(colon + 1);
        if (!inside.startsWith("/")) {
            inside = "/" + inside;
        }
        Path merged = store.containers().mergedDir(c.id());
        boolean mountedHere = false;
        if (!"running".equals(c.state())) {
            lifecycle.mount(c);
            mountedHere = true;
        }
        try {
            Path resolved = RootfsPath.resolve(merged, inside);
            if (s >= 0) {
                if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
                    throw new EngineException("no such file or directory in container " + c.name() + ": " + inside);
                }
                copyTree(resolved, target(resolved, Path.of(destination)));
            } else {
                Path src = Path.of(source);
                if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
                    throw new EngineException("no such file or directory: " + source);
                }
                Path dst = Files.isDirectory(resolved) ? RootfsPath.resolve(merged, inside + "/" + src.getFileName()) : resolved;
                copyTree(src, dst);
            }
        } catch (IOException e) {
            throw new EngineException("cannot copy " + source + " to " + destination + ": " + e.getMessage(), e);
        } finally {
            if (mountedHere) {
                lifecycle.unmountStopped(c);
            }
        }
    }

    /** CONTAINER:PATH → the colon's index; a host path (absolute, relative with ./ or without a colon) → -1. */
    private static int containerPart(String arg) {
        int colon = arg.indexOf(':');
        if (colon <= 0 || arg.startsWith("/") || arg.startsWith(".")) {
            return -1;
        }
        return colon;
    }

    private static Path target(Path src, Path dst) {
        return Files.isDirectory(dst) ? dst.resolve(src.getFileName().toString()) : dst;
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        if (!Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            if (dst.getParent() != null) {
                Files.createDirectories(dst.getParent());
            }
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            return;
        }
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path t = dst.resolve(src.relativize(dir).toString());
                if (Files.isSymbolicLink(t)) {
                    throw new IOException(t + " is a symbolic link; refusing to copy through it");
                }
                Files.createDirectories(t);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path t = dst.resolve(src.relativize(file).toString());
                Files.copy(file, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
