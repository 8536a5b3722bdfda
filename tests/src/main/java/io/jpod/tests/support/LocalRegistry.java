package io.jpod.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away {@code docker-registry serve} (distribution 2.8) on 127.0.0.1, plain HTTP, no auth, storing into a
 * temp dir. {@link #start()} returns once GET /v2/ answers 200; {@link #close()} stops it and deletes its storage.
 */
public final class LocalRegistry implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getProperty("jpod.registry", "/usr/bin/docker-registry"));
    private static final Duration READY_DEADLINE = Duration.ofSeconds(20);
    private static final int PORT_ATTEMPTS = 3;

    private final Path dir;
    private final Process process;
    private final int port;
    private final RegistryClient client;

    private LocalRegistry(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.client = new RegistryClient(hostPort());
    }

    public static LocalRegistry start() {
        return start("");
    }

    /**
     * A registry whose config.yml gets {@code extraConfig} appended as top-level YAML (e.g. an {@code auth:} section).
     * Its own client then has no credentials: push before starting an auth-protected one, or use {@link #storageDir()}.
     */
    public static LocalRegistry start(String extraConfig) {
        return start(extraConfig, null);
    }

    /** A second registry serving {@code content}'s storage (push there anonymously, pull here with auth). */
    public static LocalRegistry sharing(LocalRegistry content, String extraConfig) {
        return start(extraConfig, content.storageDir());
    }

    private static LocalRegistry start(String extraConfig, Path sharedStorage) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install docker-registry (scripts/setup-host.sh)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("jpod-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IllegalStateException last = null;
        // A port picked free can be taken before the registry binds it; only that case is worth another try.
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            try {
                return startOn(dir, freePort(), extraConfig, sharedStorage);
            } catch (PortTaken e) {
                last = e;
            } catch (RuntimeException e) {
                deleteTree(dir);
                throw e;
            }
        }
        deleteTree(dir);
        throw last;
    }

    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }

    private static LocalRegistry startOn(Path dir, int port, String extraConfig, Path sharedStorage) {
        Path storage = sharedStorage != null ? sharedStorage : dir.resolve("storage");
        Path config = dir.resolve("config.yml");
        Path log = dir.resolve("registry.log");
        Process p;
        try {
            Files.createDirectories(storage);
            Files.deleteIfExists(log); // a previous attempt's "address already in use" must not be read as this one's
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: true
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(storage, port) + extraConfig);
            ProcessBuilder pb = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // REGISTRY_* variables would override the config file; start from an empty environment.
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
        LocalRegistry registry = new LocalRegistry(dir, p, port);
        long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
        while (true) {
            int status = registry.client.ping();
            if (status == 200 || (status == 401 && !extraConfig.isEmpty())) {
                return registry;
            }
            if (!p.isAlive()) {
                String out = readLog(log);
                if (out.contains("address already in use")) {
                    throw new PortTaken("port " + port + " was taken: " + out.strip());
                }
                throw new IllegalStateException(BINARY + " exited " + p.exitValue() + " before serving: " + out.strip());
            }
            if (System.nanoTime() > deadline) {
                registry.stopProcess();
                throw new IllegalStateException(BINARY + " did not answer GET /v2/ with 200 within " + READY_DEADLINE
                        + " (last status " + status + "); log: " + readLog(log).strip());
            }
            try {
                // Poll interval of the readiness check, not a synchronisation sleep: the loop is bounded above.
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                registry.stopProcess();
                throw new IllegalStateException("interrupted while waiting for the registry", e);
            }
        }
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:PORT", the registry part of image references. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public RegistryClient client() {
        return client;
    }

    /** Pushes {@code image} as {@code repository:tag}; returns the manifest digest. */
    public String push(BuiltImage image, String repository, String tag) {
        return client.push(image, repository, tag);
    }

    /** The filesystem storage directory: another registry started on the same content may share it. */
    public Path storageDir() {
        return dir.resolve("storage");
    }

    public Path logFile() {
        return dir.resolve("registry.log");
    }

    public String log() {
        return readLog(logFile());
    }

    @Override
    public void close() {
        stopProcess();
        deleteTree(dir);
    }

    private void stopProcess() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort: a temp dir left behind does not make a test wrong.
                }
            });
        } catch (IOException ignored) {
            // Same: best effort.
        }
    }
}
