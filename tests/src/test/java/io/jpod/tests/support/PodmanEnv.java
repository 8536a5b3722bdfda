package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * podman as the reference implementation, run as the same test user as jpod with its own private HOME and
 * XDG_RUNTIME_DIR (so nothing of a real podman installation is touched), with the flags that work on a bare CI host:
 * {@code --runtime runc --cgroup-manager cgroupfs --events-backend file}. {@link #close()} kills podman's pause process
 * and deletes its storage.
 */
public final class PodmanEnv implements AutoCloseable {
    public static final Path BINARY = Path.of(System.getProperty("jpod.podman", "/usr/bin/podman"));

    private final TestUser user;
    private final Path base;
    private final Path home;
    private final Path runtimeDir;
    private final Path outputDir;

    private PodmanEnv(TestUser user, Path base) {
        this.user = user;
        this.base = base;
        this.home = base.resolve("home");
        this.runtimeDir = base.resolve("run");
        this.outputDir = base.resolve("out");
    }

    /** Whether podman is installed (scripts/setup-host.sh installs it); tests skip with a message otherwise. */
    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static PodmanEnv create(TestUser user) {
        try {
            Path tmpRoot = Path.of(System.getProperty("jpod.test.tmp", "/tmp"));
            Path base = Files.createTempDirectory(tmpRoot, "podman-env-");
            PodmanEnv env = new PodmanEnv(user, base);
            for (Path dir : List.of(env.home, env.runtimeDir)) {
                Files.createDirectory(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                user.chown(dir);
            }
            Files.createDirectory(env.outputDir);
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
            return env;
        } catch (IOException e) {
            return fail("cannot create a podman test environment: " + e);
        }
    }

    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        env.put("PATH", JpodEnv.PATH);
        env.put("LANG", "C.UTF-8");
        return env;
    }

    /** {@code podman --runtime runc --cgroup-manager cgroupfs --events-backend file ARGS} as the test user. */
    public Result run(Duration timeout, String... args) {
        return start(args).await(timeout);
    }

    public BoundedProcess start(String... args) {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--runtime", "runc", "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"));
        command.addAll(List.of(args));
        return BoundedProcess.start(user.wrap(command), environment(), home, outputDir);
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        try {
            Result r = run(Duration.ofSeconds(120), "system", "reset", "-f");
            if (r.exitCode() != 0) {
                problems.add("podman system reset failed:" + r);
            }
        } catch (AssertionError e) {
            problems.add(e.getMessage());
        }
        pausePid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        if (user.isRootJvm()) {
            problems.addAll(Cleanup.deleteTree(base));
        }
        if (!problems.isEmpty()) {
            System.err.println("[PodmanEnv] cleanup of " + base + " incomplete:\n  " + String.join("\n  ", problems));
        }
    }

    /** podman's rootless pause process (it keeps the user namespace alive, like jpod's). */
    private Optional<Long> pausePid() {
        Path file = runtimeDir.resolve("libpod/tmp/pause.pid");
        try {
            long pid = Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip());
            return ProcFs.read(pid).filter(p -> user.ownsHostUid(p.effectiveUid()) || user.ownsHostUid(p.realUid()))
                    .map(ProcFs.Proc::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
