package io.jpod.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Remembers, per user and boot (the directory lives in the runtime dir, a tmpfs), which registries answered only plain
 * HTTP. A client allowed to use plain HTTP for a registry (loopback, or configured insecure) otherwise tries HTTPS
 * first on every command, and merely setting up the TLS stack for that failed attempt costs about a sixth of the CPU
 * of pulling a 100 MB image. A remembered registry is spoken to in HTTP at once; if that fails before any answer, the
 * memory is dropped and the client starts again from HTTPS (see {@link RegistryClient}).
 */
public final class PlainHttpRegistries {
    private final Path dir;

    private PlainHttpRegistries(Path dir) {
        this.dir = dir;
    }

    /** @param dir created on the first registry remembered */
    public static PlainHttpRegistries in(Path dir) {
        return new PlainHttpRegistries(dir);
    }

    boolean knownPlain(String hostPort) {
        return Files.exists(marker(hostPort));
    }

    /** Best effort: a registry not remembered only costs the HTTPS attempt again. */
    void rememberPlain(String hostPort) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".marker", ".tmp");
            Files.move(tmp, marker(hostPort), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException ignored) {
            // an unwritable runtime dir just means no memory
        }
    }

    void forget(String hostPort) {
        try {
            Files.deleteIfExists(marker(hostPort));
        } catch (IOException | RuntimeException ignored) {
            // next time the same fallback happens again
        }
    }

    /** host:port as a file name: ':' and '[' ']' of IPv6 literals replaced, anything else outside [A-Za-z0-9.-] too. */
    private Path marker(String hostPort) {
        StringBuilder b = new StringBuilder(hostPort.length());
        for (char c : hostPort.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ? c : '_');
        }
        return dir.resolve(b.toString());
    }
}
