package io.jpod.rootless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The native helper {@code jpod-helper}: Java decides, the helper executes what a multithreaded JVM cannot
 * (unshare of a user namespace, pivot_root, exec, the per-container monitor). See docs/ARCHITECTURE.md for
 * the protocol.
 */
public final class NativeHelper {
    private final Path binary;

    public NativeHelper(Path binary) {
        this.binary = binary;
    }

    /** The helper named by $JPOD_HELPER, else $JPOD_HOME/libexec/jpod-helper (both set by the launcher). */
    public static NativeHelper locate(Map<String, String> env) {
        Path candidate;
        if (env.get("JPOD_HELPER") != null) {
            candidate = Path.of(env.get("JPOD_HELPER"));
        } else if (env.get("JPOD_HOME") != null) {
            candidate = Path.of(env.get("JPOD_HOME"), "libexec", "jpod-helper");
        } else {
            throw new RootlessException("cannot find the native helper jpod-helper: start jpod with its launcher"
                    + " script bin/jpod, or set JPOD_HELPER to the helper's path");
        }
        if (!Files.isExecutable(candidate)) {
            throw new RootlessException("the native helper " + candidate + " is missing or not executable;"
                    + " rebuild jpod (mvn package) or reinstall it");
        }
        Path name = candidate.getFileName();
        if (name != null && !name.toString().startsWith("jpod-")) {
            candidate = helperNamed(candidate, env);
        }
        return new NativeHelper(candidate);
    }

    /**
     * The binary is the helper only under a name starting "jpod-" (any other name makes it jpod's native client, as a
     * `podman` link to bin/jpod must): a copy given as --runtime under another name is reached through a link named
     * jpod-helper in the run-time directory, one per copy, made with a temp name and renamed into place.
     */
    private static Path helperNamed(Path copy, Map<String, String> env) {
        Path real = copy.toAbsolutePath();
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(real.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String key = java.util.HexFormat.of().formatHex(digest, 0, 8);
            Path dir = RunRoot.resolve(env, HostUser.current().uid()).path().resolve("runtimes").resolve(key);
            Path link = dir.resolve("jpod-helper");
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(real)) {
                return link;
            }
            Files.createDirectories(dir);
            Path tmp = dir.resolve(".jpod-helper." + ProcessHandle.current().pid() + "." + System.nanoTime());
            Files.createSymbolicLink(tmp, real);
            Files.move(tmp, link, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return link;
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new RootlessException("cannot use the runtime " + real + ": " + e.getMessage());
        }
    }

    public Path binary() {
        return binary;
    }

    /** Starts the per-container monitor on a spec file; stdio is the caller's to choose. */
    public ProcessBuilder runContainer(Path specFile) {
        return new ProcessBuilder(binary.toString(), "run", specFile.toString());
    }

    /** Starts a process in a running container from an exec spec (see ExecSpec); stdio is the caller's to choose. */
    public ProcessBuilder execInContainer(Path specFile) {
        return new ProcessBuilder(binary.toString(), "exec", specFile.toString());
    }

    /**
     * {@code jpod cp} into a container: the helper reads a tar from its stdin and extracts it at {@code path},
     * resolved inside the container's root — the running container's (joined through {@code pid}) or, with pid 0,
     * the mounted {@code rootfs} with the bind mounts of {@code specFile} (null: none) made in a private mount
     * namespace. {@code flags}: "overwrite", "into-dir". Exit 2: {@code path}'s parent is not in the container;
     * 3: {@code path} must be a directory; 4: a directory and a non-directory in each other's way.
     */
    public ProcessBuilder copyIn(Path rootfs, ContainerProcess process, String path, java.util.Set<String> flags, Path specFile) {
        return copy("copy-in", rootfs, process, path, flags.isEmpty() ? "-" : String.join(",", new java.util.TreeSet<>(flags)), specFile);
    }

    /** {@code jpod cp} out of a container: {@code path} as a tar on the helper's stdout; exit 2: no such path. */
    public ProcessBuilder copyOut(Path rootfs, ContainerProcess process, String path, Path specFile) {
        return copy("copy-out", rootfs, process, path, "-", specFile);
    }

    private ProcessBuilder copy(String mode, Path rootfs, ContainerProcess process, String path, String flags, Path specFile) {
        return new ProcessBuilder(binary.toString(), mode, rootfs.toString(), Long.toString(process.pid()),
                Long.toString(process.monitorPid()), Long.toString(process.monitorStartTicks()), path, flags,
                specFile == null ? "-" : specFile.toString());
    }

    /**
     * A running container's init as the helper joins it: its pid, and its monitor's pid and start time (clock ticks),
     * which make a reused pid detectable (0, 0: not checked; pid 0: the container is not running).
     */
    public record ContainerProcess(long pid, long monitorPid, long monitorStartTicks) {
        public static final ContainerProcess NOT_RUNNING = new ContainerProcess(0, 0, 0);
    }

    /** Sends signal {@code signal} to host pid {@code pid}; false when the process is gone. */
    public boolean signal(long pid, int signal) {
        return signal(List.of(binary.toString(), "signal", Long.toString(pid), Integer.toString(signal)), pid);
    }

    /**
     * Sends {@code signal} to {@code pid} only while it is the child of {@code parentPid} started at
     * {@code parentStartTicks} (the container's monitor), through a pidfd: a pid reused since the record was
     * written is never signalled. False when the process is gone or is not that child any more.
     */
    public boolean signalChild(long pid, int signal, long parentPid, long parentStartTicks) {
        return signal(List.of(binary.toString(), "signal", Long.toString(pid), Integer.toString(signal),
                Long.toString(parentPid), Long.toString(parentStartTicks)), pid);
    }

    private boolean signal(List<String> command, long pid) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RootlessException("jpod-helper did not finish within 30 s trying to signal process " + pid);
            }
            if (p.exitValue() == 1) {
                return false;
            }
            if (p.exitValue() != 0) {
                throw new RootlessException("cannot signal process " + pid + ": " + new String(out, StandardCharsets.UTF_8).strip());
            }
            return true;
        } catch (IOException e) {
            throw new RootlessException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RootlessException("interrupted while signalling process " + pid);
        }
    }

    /** Creates the pause process holding the user and mount namespaces; returns when its pid file exists. */
    public void createPauseProcess(Path pidFile, Path newuidmap, List<IdMapping> uidMap,
                                   Path newgidmap, List<IdMapping> gidMap) {
        runChecked("create the user namespace", 30, binary.toString(), "pause", pidFile.toString(),
                newuidmap.toString(), IdMapping.toArgument(uidMap), newgidmap.toString(), IdMapping.toArgument(gidMap));
    }

    /** Detaches a mount (fuse or kernel overlay) in the shared mount namespace. */
    public void umount(Path target) {
        runChecked("unmount " + target, 30, binary.toString(), "umount", target.toString());
    }

    /** Mounts kernel overlayfs at target with the given option string, run from {@code dir} so relative lowerdirs work. */
    public void mountOverlay(Path target, String options, Path dir) {
        runChecked("mount overlay at " + target, 30, List.of(binary.toString(), "mount-overlay", target.toString(), options), dir);
    }

    private void runChecked(String what, int timeoutSeconds, String... argv) {
        runChecked(what, timeoutSeconds, List.of(argv), null);
    }

    private void runChecked(String what, int timeoutSeconds, List<String> argv, Path dir) {
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RootlessException("jpod-helper did not finish within " + timeoutSeconds + " s trying to " + what);
            }
            if (p.exitValue() != 0) {
                String msg = new String(out, StandardCharsets.UTF_8).strip();
                int nl = msg.lastIndexOf('\n');
                throw new RootlessException("cannot " + what + ": " + (nl >= 0 ? msg.substring(nl + 1) : msg));
            }
        } catch (IOException e) {
            throw new RootlessException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RootlessException("interrupted while trying to " + what);
        }
    }
}
