package io.jpod.tests.support;

import static org.junit.jupiter.api.Assertions.fail;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who runs jpod. As root: the dedicated unprivileged user {@code jpodtest} (created with a 100000:65536 subordinate
 * range when missing) and commands go through {@code setpriv}; otherwise the current user, commands run directly.
 */
public record TestUser(String name, int uid, int gid, Optional<Range> subuid, Optional<Range> subgid, boolean viaSetpriv) {

    public static final String DEFAULT_NAME = "jpodtest";
    /** A user with no /etc/subuid or /etc/subgid entry, for the error path. */
    public static final String NO_SUBIDS_NAME = "jpodnosub";

    public record Range(long start, long count) {
        public boolean contains(long id) {
            return id >= start && id < start + count;
        }
    }

    private static volatile TestUser defaultUser;

    /** True when the test JVM runs as root (then jpod runs as {@code jpodtest}). */
    public static boolean jvmIsRoot() {
        return new UnixSystem().getUid() == 0;
    }

    /** The user the e2e tests run jpod as (cached per JVM). */
    public static TestUser get() {
        TestUser u = defaultUser;
        if (u == null) {
            synchronized (TestUser.class) {
                if (defaultUser == null) {
                    defaultUser = resolve();
                }
                u = defaultUser;
            }
        }
        return u;
    }

    private static TestUser resolve() {
        if (jvmIsRoot()) {
            ensureUser(DEFAULT_NAME);
            ensureRange("/etc/subuid", "--add-subuids");
            ensureRange("/etc/subgid", "--add-subgids");
            return lookup(DEFAULT_NAME, true);
        }
        UnixSystem self = new UnixSystem();
        return lookup(self.getUsername(), (int) self.getUid(), (int) self.getGid(), false);
    }

    /** Root only: {@code jpodnosub}, created if missing; fails if it has a subordinate range (setup-host.sh removes them). */
    public static TestUser withoutSubids() {
        if (!jvmIsRoot()) {
            throw new IllegalStateException("creating " + NO_SUBIDS_NAME + " needs root");
        }
        ensureUser(NO_SUBIDS_NAME);
        TestUser u = lookup(NO_SUBIDS_NAME, true);
        if (u.subuid().isPresent() || u.subgid().isPresent()) {
            fail(NO_SUBIDS_NAME + " must have no /etc/subuid or /etc/subgid entry, but has " + u.subuid() + " / "
                    + u.subgid() + ": run scripts/setup-host.sh");
        }
        return u;
    }

    public boolean isRootJvm() {
        return viaSetpriv;
    }

    /** The subordinate uid range or a clear failure. */
    public Range requireSubuid() {
        return subuid.orElseGet(() -> fail("user " + name + " (uid " + uid + ") has no /etc/subuid entry: run scripts/setup-host.sh"));
    }

    public Range requireSubgid() {
        return subgid.orElseGet(() -> fail("user " + name + " (uid " + uid + ") has no /etc/subgid entry: run scripts/setup-host.sh"));
    }

    /** True for the user's own uid and its subordinate uids: every host uid a container of this user can have. */
    public boolean ownsHostUid(long hostUid) {
        return hostUid == uid || subuid.map(r -> r.contains(hostUid)).orElse(false);
    }

    /** {@code command} as it must be started to run as this user (the environment is set by the caller). */
    public List<String> wrap(List<String> command) {
        if (!viaSetpriv) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--"));
        full.addAll(command);
        return full;
    }

    /** Root only: makes {@code path} owned by this user. */
    public void chown(Path path) throws IOException {
        if (viaSetpriv) {
            Files.setAttribute(path, "unix:uid", uid);
            Files.setAttribute(path, "unix:gid", gid);
        }
    }

    private static TestUser lookup(String name, boolean viaSetpriv) {
        String line = exec(List.of("getent", "passwd", name), true).strip();
        String[] f = line.split(":");
        if (f.length < 4) {
            fail("getent passwd " + name + " gave '" + line + "'");
        }
        return lookup(name, Integer.parseInt(f[2]), Integer.parseInt(f[3]), viaSetpriv);
    }

    private static TestUser lookup(String name, int uid, int gid, boolean viaSetpriv) {
        return new TestUser(name, uid, gid, range(Path.of("/etc/subuid"), name, uid),
                range(Path.of("/etc/subgid"), name, uid), viaSetpriv);
    }

    /** First "name:start:count" (or "uid:start:count") line, as newuidmap reads it. */
    static Optional<Range> range(Path file, String name, long uid) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.strip().split(":");
                if (f.length == 3 && (f[0].equals(name) || f[0].equals(Long.toString(uid)))) {
                    return Optional.of(new Range(Long.parseLong(f[1].strip()), Long.parseLong(f[2].strip())));
                }
            }
        } catch (IOException | NumberFormatException e) {
            fail("cannot parse " + file + ": " + e);
        }
        return Optional.empty();
    }

    private static void ensureUser(String name) {
        if (exec(List.of("getent", "passwd", name), false).isBlank()) {
            // SUB_*_COUNT=0: useradd would otherwise allocate a range of its own choosing; ranges are set explicitly.
            exec(List.of("useradd", "-m", "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name), true);
        }
    }

    private static void ensureRange(String file, String usermodFlag) {
        if (range(Path.of(file), DEFAULT_NAME, -1).isEmpty()) {
            exec(List.of("usermod", usermodFlag, "100000-165535", DEFAULT_NAME), true);
        }
    }

    /** Runs a short host administration command; {@code check}: fail on a non-zero exit. Returns stdout ("" on failure). */
    static String exec(List<String> command, boolean check) {
        Path out;
        try {
            out = Files.createTempDirectory("jpod-tests-exec-");
        } catch (IOException e) {
            return fail("cannot create a temp dir: " + e);
        }
        try {
            Result r = BoundedProcess.run(Duration.ofSeconds(30), command,
                    Map.of("PATH", JpodEnv.PATH, "LANG", "C.UTF-8"), Path.of("/"), out);
            if (check && r.exitCode() != 0) {
                fail("host command failed:" + r);
            }
            return r.exitCode() == 0 ? r.stdout() : "";
        } finally {
            Cleanup.deleteTree(out);
        }
    }
}
