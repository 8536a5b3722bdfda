package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The built distribution ({@code cli/target/jpod}, or {@code -Djpod.dist=DIR}) copied once per JVM into a fresh
 * world-readable temp dir: the repository may live under /root, which the unprivileged test user cannot traverse.
 */
public final class JpodInstall {

    private static volatile Path installed;

    private JpodInstall() {}

    /** The copied distribution's root (contains bin/jpod, lib/, libexec/jpod-helper). */
    public static Path get() {
        Path p = installed;
        if (p == null) {
            synchronized (JpodInstall.class) {
                if (installed == null) {
                    installed = install(source());
                }
                p = installed;
            }
        }
        return p;
    }

    public static Path launcher() {
        return get().resolve("bin/jpod");
    }

    /** Where the built distribution is read from. */
    public static Path source() {
        String override = System.getProperty("jpod.dist");
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath().normalize();
        }
        // Surefire sets basedir to the tests module; running from the module directory works without it too.
        String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
        return Path.of(basedir).resolve("../cli/target/jpod").toAbsolutePath().normalize();
    }

    private static Path install(Path configured) {
        Path launcher = configured.resolve("bin/jpod");
        if (!Files.isRegularFile(launcher) || !Files.isExecutable(launcher)) {
            fail("jpod distribution not found: " + launcher + " is missing or not executable; run `mvn package` "
                    + "first (from the repository root), or point -Djpod.dist=DIR at a built distribution");
        }
        Path source;
        try {
            // The walk below does not follow links; a -Djpod.dist that is itself a link must still be copied.
            source = configured.toRealPath();
        } catch (IOException e) {
            return fail("cannot resolve " + configured + ": " + e);
        }
        return copy(source);
    }

    private static Path copy(Path source) {
        try {
            Path tmpRoot = Path.of(System.getProperty("jpod.test.tmp", "/tmp"));
            Path target = Files.createTempDirectory(tmpRoot, "jpod-dist-");
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path to = target.resolve(source.relativize(dir).toString());
                    Files.createDirectories(to);
                    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path to = target.resolve(source.relativize(file).toString());
                    if (attrs.isSymbolicLink()) {
                        Files.createSymbolicLink(to, Files.readSymbolicLink(file));
                        return FileVisitResult.CONTINUE;
                    }
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                    boolean exec = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                            .contains(PosixFilePermission.OWNER_EXECUTE);
                    // Readable (and executable where the build made it so) by everyone, whatever the builder's umask.
                    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
                    return FileVisitResult.CONTINUE;
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Cleanup.deleteTree(target), "jpod-install-cleanup"));
            return target;
        } catch (IOException e) {
            return fail("cannot copy the jpod distribution from " + source + ": " + e);
        }
    }
}
