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
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One isolated jpod "login" for a test class: a private HOME and XDG_RUNTIME_DIR (0700, owned by the test user), the
 * copied distribution, and exactly four environment variables. {@link #close()} kills everything this env left
 * running (pause process, fuse-overlayfs, slirp4netns, containers) and deletes its files.
 */
public final class JpodEnv implements AutoCloseable {

    public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** How long one ordinary jpod command may take in a test before it counts as hung. */
    public static final Duration NORMAL = Duration.ofSeconds(120);
    private static final Duration KILL_DEADLINE = Duration.ofSeconds(15);

    private final TestUser user;
    private final Path launcher;
    private final Path base;
    private final Path home;
    private final Path runtimeDir;
    private final Path outputDir;

    private JpodEnv(TestUser user, Path launcher, Path base) {
        this.user = user;
        this.launcher = launcher;
        this.base = base;
        this.home = base.resolve("home");
        this.runtimeDir = base.resolve("run");
        this.outputDir = base.resolve("out");
    }

    /** An env for {@link TestUser#get()}. */
    public static JpodEnv create() {
        return create(TestUser.get());
    }

    public static JpodEnv create(TestUser user) {
        Path launcher = JpodInstall.launcher();
        try {
            Path tmpRoot = Path.of(System.getProperty("jpod.test.tmp", "/tmp"));
            Path base = Files.createTempDirectory(tmpRoot, "jpod-env-");
            JpodEnv env = new JpodEnv(user, launcher, base);
            for (Path dir : List.of(env.home, env.runtimeDir)) {
                Files.createDirectory(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                user.chown(dir);
            }
            Files.createDirectory(env.outputDir);
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
            return env;
        } catch (IOException e) {
            return fail("cannot create a jpod test environment: " + e);
        }
    }

    public TestUser user() {
        return user;
    }

    public Path home() {
        return home;
    }

    public Path runtimeDir() {
        return runtimeDir;
    }

    /** {@code $HOME/.local/share/jpod/storage}, the default storage root. */
    public Path storageRoot() {
        return home.resolve(".local/share/jpod/storage");
    }

    /** {@code $XDG_RUNTIME_DIR/jpod}, the default run root. */
    public Path runRoot() {
        return runtimeDir.resolve("jpod");
    }

    public Path pausePidFile() {
        return runRoot().resolve("pause.pid");
    }

    /** The whole environment jpod gets: nothing is inherited from the test JVM. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        env.put("PATH", PATH);
        env.put("LANG", "C.UTF-8");
        return env;
    }

    /** Runs {@code jpod ARGS} as the test user, stdin /dev/null; kills the tree and fails after {@code timeout}. */
    public Result run(Duration timeout, String... args) {
        return start(args).await(timeout);
    }

    /** Runs {@code jpod ARGS} (see {@link #run}) within {@link #NORMAL} and asserts that it succeeded. */
    public Result ok(String... args) {
        return run(NORMAL, args).ok();
    }

    /** {@code jpod inspect NAME}'s object for one container or image. */
    public com.fasterxml.jackson.databind.JsonNode inspect(String name) {
        return ok("inspect", name).json().get(0);
    }

    /** Starts {@code jpod ARGS} in the background; the caller must await or stop it. */
    public BoundedProcess start(String... args) {
        return startWith(Map.of(), args);
    }

    /**
     * Runs {@code jpod ARGS} with changes to the environment: a value replaces or adds a variable, an empty
     * Optional removes it.
     */
    public Result runWith(Map<String, Optional<String>> changes, Duration timeout, String... args) {
        return startWith(changes, args).await(timeout);
    }

    /** Runs {@code jpod ARGS} with stdin read from {@code stdin} and the environment changed as in {@link #runWith}. */
    public Result runWithInput(Path stdin, Map<String, Optional<String>> changes, Duration timeout, String... args) {
        return startWrapped(java.util.function.UnaryOperator.identity(), changes, stdin, args).await(timeout);
    }

    /** As {@link #start}, with changes to the environment (see {@link #runWith}). */
    public BoundedProcess startWith(Map<String, Optional<String>> changes, String... args) {
        return startWrapped(java.util.function.UnaryOperator.identity(), changes, args);
    }

    /**
     * As {@link #startWith}, with the final command line (already switching to the test user) passed through
     * {@code wrap}, which runs as the test JVM's user (e.g. to place the process in a cgroup first).
     */
    public BoundedProcess startWrapped(java.util.function.UnaryOperator<List<String>> wrap, Map<String, Optional<String>> changes,
                                       String... args) {
        return startWrapped(wrap, changes, Path.of("/dev/null"), args);
    }

    private BoundedProcess startWrapped(java.util.function.UnaryOperator<List<String>> wrap, Map<String, Optional<String>> changes,
                                        Path stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        Map<String, String> env = environment();
        changes.forEach((k, v) -> {
            if (v.isPresent()) {
                env.put(k, v.get());
            } else {
                env.remove(k);
            }
        });
        // cwd = HOME: jpod (and its helper) restore the cwd, which must be reachable by the test user.
        return BoundedProcess.start(wrap.apply(user.wrap(command)), env, home, outputDir, stdin);
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        killLeftovers(problems);
        Path jpodData = home.resolve(".local/share/jpod");
        if (!user.isRootJvm() && Files.exists(jpodData)) {
            // Files owned by subordinate ids can only be removed from inside the user namespace. With the old pause
            // process gone, this starts a fresh one whose mount namespace has none of the old (dead) FUSE mounts.
            try {
                Result r = run(Duration.ofSeconds(120), "unshare", "rm", "-rf", jpodData.toString());
                if (r.exitCode() != 0) {
                    problems.add("jpod unshare rm -rf failed:" + r);
                }
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
            killLeftovers(problems);
        }
        problems.addAll(Cleanup.deleteTree(base));
        if (!problems.isEmpty()) {
            System.err.println("[JpodEnv] cleanup of " + base + " incomplete:\n  " + String.join("\n  ", problems));
        }
    }

    /**
     * SIGKILLs every process of this env: the pause process, everything in its user namespace (jpod JVMs, monitors,
     * containers, fuse-overlayfs, slirp4netns) and any process of the test user naming this env's directory.
     */
    public void killLeftovers(List<String> problems) {
        String hostNs = ProcFs.selfUserNs();
        Optional<ProcFs.Proc> pause = pauseProcess();
        // Never match on the host namespace: that would take every process of the user.
        Optional<String> envNs = pause.flatMap(ProcFs.Proc::userNs).filter(ns -> !ns.equals(hostNs));
        long self = ProcessHandle.current().pid();
        String marker = base.toString();
        List<ProcFs.Proc> victims = ProcFs.snapshot().stream()
                .filter(p -> p.pid() != self)
                .filter(p -> user.ownsHostUid(p.effectiveUid()) || user.ownsHostUid(p.realUid()))
                .filter(p -> pause.map(pp -> pp.pid() == p.pid()).orElse(false)
                        || (envNs.isPresent() && p.userNs().equals(envNs))
                        || p.cmdline().stream().anyMatch(a -> a.contains(marker)))
                .toList();
        for (ProcFs.Proc p : victims) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        long deadline = System.nanoTime() + KILL_DEADLINE.toNanos();
        Set<Long> pending = victims.stream().map(ProcFs.Proc::pid).collect(Collectors.toSet());
        while (!pending.isEmpty()) {
            pending.removeIf(pid -> !alive(pid));
            if (pending.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                problems.add("processes still alive " + KILL_DEADLINE.toSeconds() + " s after SIGKILL: " + pending);
                break;
            }
            pause(20);
        }
    }

    /** The live pause process named in the pid file (verified by its name, so a recycled pid is never trusted). */
    public Optional<ProcFs.Proc> pauseProcess() {
        try {
            if (!Files.isRegularFile(pausePidFile())) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pausePidFile(), StandardCharsets.UTF_8).strip());
            return ProcFs.read(pid).filter(p -> p.comm().equals("jpod-pause"))
                    .filter(p -> user.ownsHostUid(p.effectiveUid()) || user.ownsHostUid(p.realUid()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Alive and not a zombie (a zombie is dead for our purposes; its parent may never reap it). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** Interval of a bounded poll loop, not a synchronisation sleep. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "JpodEnv[" + user.name() + ", HOME=" + home + "]";
    }
}
