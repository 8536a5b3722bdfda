package io.jpod.rootless;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Creates the per-user pause process that holds jpod's user namespace (root inside = the user, ids 1.. = the
 * subordinate ranges) and its mount namespace. Runs outside the namespace, in the short-lived JVM that the
 * helper's {@code enter} mode starts when there is no pause process to join.
 */
public final class UserNamespaceSetup {
    /** The name the helper gives the pause process (prctl PR_SET_NAME); the launcher checks it before joining. */
    public static final String PAUSE_COMM = "jpod-pause";

    private static final List<Path> SYSTEM_BIN = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/bin"), Path.of("/sbin"));

    private final Map<String, String> env;
    private final PrintStream warn;

    public UserNamespaceSetup(Map<String, String> env, PrintStream warn) {
        this.env = env;
        this.warn = warn;
    }

    /** Makes sure a live pause process exists for this user; concurrent callers serialise on a lock file. */
    public void ensurePauseProcess() {
        HostUser user = HostUser.current();
        if (user.uid() == 0 && !HostUser.inUserNamespace()) {
            throw new RootlessException("jpod is a rootless engine and must not run as root;"
                    + " run it as an ordinary user with /etc/subuid and /etc/subgid ranges");
        }
        checkUserNamespacesEnabled();
        RunRoot runRoot = RunRoot.resolve(env, user.uid());
        runRoot.create(warn);
        Path pidFile = runRoot.pausePidFile();
        try (FileChannel ch = FileChannel.open(runRoot.path().resolve("pause.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            if (isPauseAlive(pidFile)) {
                return; // another jpod created it while we waited for the lock
            }
            List<IdRange> subuids = SubordinateIds.read(Path.of("/etc/subuid"), user.name(), user.uid());
            List<IdRange> subgids = SubordinateIds.read(Path.of("/etc/subgid"), user.name(), user.uid());
            Path newuidmap = findSetuidTool("newuidmap");
            Path newgidmap = findSetuidTool("newgidmap");
            NativeHelper helper = NativeHelper.locate(env);
            Files.deleteIfExists(pidFile);
            helper.createPauseProcess(pidFile, newuidmap, IdMapping.rootless(user.uid(), subuids),
                    newgidmap, IdMapping.rootless(user.gid(), subgids));
        } catch (IOException e) {
            throw new RootlessException("cannot lock " + runRoot.path().resolve("pause.lock") + ": " + e.getMessage(), e);
        }
    }

    /** Whether the pid file names a live process called jpod-pause. */
    public static boolean isPauseAlive(Path pidFile) {
        long pid = ProcessIds.readPidFile(pidFile);
        return pid > 0 && PAUSE_COMM.equals(ProcessIds.comm(pid));
    }

    private static void checkUserNamespacesEnabled() {
        Path debianKnob = Path.of("/proc/sys/kernel/unprivileged_userns_clone");
        try {
            if (Files.exists(debianKnob) && Files.readString(debianKnob).strip().equals("0")) {
                throw new RootlessException("unprivileged user namespaces are disabled on this host"
                        + " (kernel.unprivileged_userns_clone=0); enable them with `sysctl kernel.unprivileged_userns_clone=1`");
            }
            Path max = Path.of("/proc/sys/user/max_user_namespaces");
            if (Files.exists(max) && Files.readString(max).strip().equals("0")) {
                throw new RootlessException("user namespaces are disabled on this host (user.max_user_namespaces=0);"
                        + " enable them with `sysctl user.max_user_namespaces=15000`");
            }
        } catch (IOException e) {
            // unreadable knobs: let the helper's unshare report the real error
        }
    }

    /**
     * Finds newuidmap/newgidmap (shadow-utils, Debian package uidmap). They must be setuid root or carry file
     * capabilities to write a mapping of ids the user does not own; a plain copy cannot.
     */
    private Path findSetuidTool(String name) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return checkPrivileged(p);
                }
            }
        }
        for (Path dir : SYSTEM_BIN) {
            Path p = dir.resolve(name);
            if (Files.isExecutable(p)) {
                return checkPrivileged(p);
            }
        }
        throw new RootlessException(name + " is not installed; install it (Debian/Ubuntu: apt-get install uidmap;"
                + " Fedora: dnf install shadow-utils) so jpod can map your subordinate ids");
    }

    private static Path checkPrivileged(Path tool) {
        try {
            Path real = tool.toRealPath();
            int mode = (Integer) Files.getAttribute(real, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            long owner = ((Number) Files.getAttribute(real, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            boolean setuidRoot = (mode & 04000) != 0 && owner == 0;
            if (!setuidRoot && !hasFileCapabilities(real)) {
                throw new RootlessException(tool + " is neither setuid root nor has file capabilities, so it cannot map"
                        + " subordinate ids; fix it with `chmod u+s " + real + "` (as root) or reinstall the uidmap package");
            }
            return tool;
        } catch (IOException e) {
            throw new RootlessException("cannot inspect " + tool + ": " + e.getMessage(), e);
        }
    }

    /** File capabilities live in the security.capability xattr, which Java's xattr view cannot read; getcap can. */
    private static boolean hasFileCapabilities(Path tool) {
        for (Path getcap : List.of(Path.of("/usr/sbin/getcap"), Path.of("/sbin/getcap"))) {
            if (Files.isExecutable(getcap)) {
                try {
                    Process p = new ProcessBuilder(getcap.toString(), tool.toString()).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes()).strip();
                    p.waitFor();
                    return out.contains("cap_setuid") || out.contains("cap_setgid");
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }
}
