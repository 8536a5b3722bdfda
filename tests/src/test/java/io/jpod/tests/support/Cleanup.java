package io.jpod.tests.support;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Deleting test trees that hold read-only directories (image layers do: proc 0555, root 0700). */
public final class Cleanup {

    private Cleanup() {}

    /** Deletes {@code root} recursively without following symlinks; returns what could not be deleted (empty: all gone). */
    public static List<String> deleteTree(Path root) {
        List<String> failures = new ArrayList<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return failures;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    makeWritable(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file, failures);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    delete(file, failures);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
                    delete(dir, failures);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            failures.add(root + ": " + e);
        }
        return failures;
    }

    private static void makeWritable(Path dir) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> owner = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE);
            if (!perms.containsAll(owner)) {
                perms.addAll(owner);
                Files.setPosixFilePermissions(dir, perms);
            }
        } catch (IOException | SecurityException e) {
            // Not ours to change (a subordinate id owns it): the delete below reports it if it matters.
        }
    }

    private static void delete(Path p, List<String> failures) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            failures.add(p + ": " + e);
        }
    }
}
