package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.engine.HostTar;
import io.jpod.storage.ContainerState;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * `jpod cp`: copies between the host (a path, or "-": a tar on stdin or stdout) and a container, or between two
 * containers. The container side is done by the helper inside the container's root (copy-in/copy-out,
 * rootless/src/main/c/copy.c): in a running container's mount namespace, so its volumes are seen as it sees them
 * and nothing it swaps meanwhile can redirect a write or a read to the host; a stopped container's rootfs is
 * mounted for the copy and the helper makes its bind mounts in a private mount namespace. The two sides talk tar
 * ({@link HostTar}); every stream into a container is written by Java, which decides the owner of what is copied.
 */
public final class Copier {
    private static final int NOT_IN_CONTAINER = 2; // the helper's exit statuses (copy.c)
    private static final int NOT_A_DIRECTORY = 3;
    private static final int TYPE_CONFLICT = 4;
    private static final int HELPER_EXIT_SECONDS = 30;
    private static final String STDIO = "-";

    /**
     * @param archive   podman's --archive: what goes into a container keeps its owner (false) or becomes the
     *                  container user's (true, the default)
     * @param overwrite a directory may replace a non-directory and the other way round
     */
    public record Options(boolean archive, boolean overwrite) {
    }

    /** One side of a copy inside a container: the path as given and as resolved against the working directory. */
    private record Side(ContainerRecord container, String given, String path) {
    }

    private final Store store;
    private final Lifecycle lifecycle;
    private final NativeHelper helper;
    private final Options options;

    public Copier(Store store, Lifecycle lifecycle, NativeHelper helper, Options options) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.helper = helper;
        this.options = options;
    }

    /** @param stdin what "-" as source reads; @param stdout where "-" as destination writes */
    public void copy(String source, String destination, InputStream stdin, OutputStream stdout) {
        int s = containerPart(source);
        int d = containerPart(destination);
        if (s < 0 && d < 0) {
            throw new EngineException("cp copies between a container and the host or between two containers: give source or destination (or both) as CONTAINER:PATH");
        }
        Side from = s >= 0 ? side(source, s) : null;
        Side to = d >= 0 ? side(destination, d) : null;
        if (from == null && !source.equals(STDIO) && !Files.exists(Path.of(source), LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException("\"" + source + "\" could not be found on the host: no such file or directory");
        }
        List<ContainerRecord> mounted = new ArrayList<>();
        try {
            if (from != null && to != null) {
                containerToContainer(from, to, mounted);
            } else if (to != null) {
                hostToContainer(source, to, stdin, mounted);
            } else {
                containerToHost(from, destination, stdout, mounted);
            }
        } finally {
            for (ContainerRecord c : mounted) {
                lifecycle.unmountStopped(c);
            }
        }
    }

    private Side side(String arg, int colon) {
        ContainerRecord c = lifecycle.current(arg.substring(0, colon));
        String given = arg.substring(colon + 1);
        return new Side(c, given, inContainer(given, workdir(c)));
    }

    /** A relative container path is taken from the container's working directory, as podman does. */
    static String inContainer(String given, String workdir) {
        if (given.startsWith("/")) {
            return given;
        }
        String base = workdir == null || workdir.isEmpty() ? "/" : workdir;
        return given.isEmpty() ? base : base.endsWith("/") ? base + given : base + "/" + given;
    }

    private static String workdir(ContainerRecord c) {
        ContainerLifecycle lc = c.lifecycle();
        return lc == null || lc.config() == null ? null : lc.config().workdir();
    }

    /** The helper's view of a container: the running one's process, or the mounted rootfs (added to mounted). */
    private Root root(ContainerRecord c, List<ContainerRecord> mounted) {
        boolean running = c.state() == ContainerState.RUNNING;
        if (!running && !mounted.contains(c)) {
            lifecycle.mount(c);
            mounted.add(c);
        }
        Path spec = lifecycle.baseSpec(c.id());
        return new Root(store.containers().mergedDir(c.id()),
                running ? lifecycle.containerProcess(c) : NativeHelper.ContainerProcess.NOT_RUNNING,
                running || !Files.exists(spec) ? null : spec);
    }

    private record Root(Path merged, NativeHelper.ContainerProcess process, Path spec) {
    }

    /** With --archive, everything copied in becomes the container user's (resolved in its /etc/passwd). */
    private HostTar.Owner owner(ContainerRecord c) {
        if (!options.archive()) {
            return null;
        }
        ContainerLifecycle lc = c.lifecycle();
        String user = lc == null || lc.config() == null ? null : lc.config().user();
        if (user == null || user.isBlank() || user.equals("root") || user.equals("0")) {
            return new HostTar.Owner(0, 0); // root needs no /etc/passwd (a minimal image has none)
        }
        ContainerUser u = ContainerUser.resolve(store.containers().mergedDir(c.id()), user);
        return new HostTar.Owner(u.uid(), u.gid());
    }

    private Process copyIn(Side to, List<ContainerRecord> mounted, boolean intoDir) {
        Root r = root(to.container(), mounted);
        Set<String> flags = new HashSet<>();
        if (options.overwrite()) {
            flags.add("overwrite");
        }
        if (intoDir) {
            flags.add("into-dir");
        }
        return start(helper.copyIn(r.merged(), r.process(), to.path(), flags, r.spec()).redirectOutput(ProcessBuilder.Redirect.DISCARD));
    }

    private Process copyOut(Side from, List<ContainerRecord> mounted) {
        Root r = root(from.container(), mounted);
        return start(helper.copyOut(r.merged(), r.process(), from.path(), r.spec())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
    }

    private void hostToContainer(String source, Side to, InputStream stdin, List<ContainerRecord> mounted) {
        boolean fromStdin = source.equals(STDIO);
        InputStream userTar = null;
        if (fromStdin) {
            try {
                userTar = HostTar.openUserTar(stdin);
            } catch (IOException e) {
                throw new EngineException("source must be a (compressed) tar archive when copying from stdin");
            }
        }
        HostTar.Owner owner = owner(to.container());
        Process p = copyIn(to, mounted, fromStdin);
        IOException writeFailure = null;
        try (OutputStream in = p.getOutputStream()) {
            if (fromStdin) {
                HostTar.relay(userTar, in, null, owner);
            } else {
                Path src = Path.of(source);
                Path name = src.normalize().getFileName();
                // "DIR/." copies DIR's contents: its top entry is "." (into an existing directory, merged)
                String top = source.endsWith("/.") || name == null || name.toString().isEmpty() ? "." : name.toString();
                HostTar.write(src, top, in, owner);
            }
        } catch (IOException e) {
            writeFailure = e; // a broken pipe when the helper gave up: its own message says why
        }
        finish(p, to, writeFailure, fromStdin ? "destination must be a directory when copying from stdin"
                : "destination must be a directory when copying a directory");
    }

    private void containerToHost(Side from, String destination, OutputStream stdout, List<ContainerRecord> mounted) {
        boolean toStdout = destination.equals(STDIO);
        Path dst = Path.of(destination);
        Path target = dst;
        String name = baseName(from.path());
        if (!toStdout) {
            if (Files.exists(dst) && !Files.isDirectory(dst) && !Files.isRegularFile(dst)) {
                throw new EngineException("invalid destination: \"" + destination + "\" must be a directory or a regular file");
            }
            if (Files.isDirectory(dst) && !name.equals(".")) {
                target = dst.resolve(name);
            }
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new EngineException("\"" + parent + "\" could not be found on the host: no such file or directory");
            }
        }
        Process p = copyOut(from, mounted);
        IOException readFailure = null;
        try (InputStream out = p.getInputStream()) {
            if (toStdout) {
                HostTar.relay(out, stdout, name, null);
                stdout.flush();
            } else {
                HostTar.extract(out, target, target.equals(dst) ? null : dst, options.overwrite());
            }
            out.transferTo(OutputStream.nullOutputStream());
        } catch (HostTar.DestinationNotDirectory e) {
            p.destroyForcibly();
            throw new EngineException("destination must be a directory when copying a directory");
        } catch (HostTar.TypeConflict e) {
            p.destroyForcibly();
            throw new EngineException(conflict(e.shown()));
        } catch (IOException e) {
            readFailure = e;
        }
        finish(p, from, readFailure, null);
    }

    private void containerToContainer(Side from, Side to, List<ContainerRecord> mounted) {
        HostTar.Owner owner = owner(to.container());
        Process out = copyOut(from, mounted);
        Process in = copyIn(to, mounted, false);
        IOException failure = null;
        try (InputStream src = out.getInputStream(); OutputStream dst = in.getOutputStream()) {
            HostTar.relay(src, dst, baseName(from.path()), owner);
        } catch (IOException e) {
            failure = e;
        }
        if (failure != null) {
            out.destroyForcibly(); // the writing side gave up first: the reading side need not finish
        }
        try {
            finish(in, to, failure, "destination must be a directory when copying a directory");
        } finally {
            finish(out, from, null, null);
        }
    }

    /** The last name of a container path ("." for one ending in "/." or for "/"). */
    private static String baseName(String path) {
        if (path.endsWith("/.") || path.equals(".")) {
            return ".";
        }
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        Path name = Path.of(p).getFileName();
        return name == null ? "." : name.toString();
    }

    private static String conflict(String shown) {
        return "copying: error creating \"" + shown + "\": " + shown + ": file exists";
    }

    /** What docker's archive endpoints say about a path: its name, size, mode bits, mtime and link target. */
    public record PathStat(String name, long size, int mode, boolean directory, boolean symlink, java.time.Instant mtime,
                           String linkTarget) {
    }

    /**
     * PATH in the container as a tar whose top entry is named as PATH's last component (docker's archive GET).
     * {@code open} gets the top entry's stat before any byte is written and returns where the tar goes (null:
     * the stat was all it wanted; the copy stops).
     */
    public void archiveOut(String idOrName, String path, java.util.function.Function<PathStat, OutputStream> open) {
        String inside = path.startsWith("/") ? path : "/" + path;
        String name = Path.of(inside).getFileName() == null ? "/" : Path.of(inside).getFileName().toString();
        Side from = new Side(lifecycle.current(idOrName), path, inside);
        List<ContainerRecord> mounted = new ArrayList<>();
        try {
            Process p = copyOut(from, mounted);
            IOException failure = null;
            boolean stopped = false;
            try (InputStream raw = p.getInputStream();
                 org.apache.commons.compress.archivers.tar.TarArchiveInputStream in =
                         new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(raw)) {
                org.apache.commons.compress.archivers.tar.TarArchiveEntry e = in.getNextEntry();
                if (e != null) {
                    PathStat stat = new PathStat(name, e.getSize(), e.getMode() & 07777, e.isDirectory(), e.isSymbolicLink(),
                            e.getLastModifiedTime().toInstant(), e.isSymbolicLink() ? e.getLinkName() : "");
                    OutputStream out = open.apply(stat);
                    if (out == null) {
                        stopped = true;
                    } else {
                        org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar =
                                new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out);
                        tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
                        tar.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
                        for (; e != null; e = in.getNextEntry()) {
                            String n = e.getName();
                            String rest = n.equals(HostTar.TOP) || n.equals(HostTar.TOP + "/") ? "" : n.substring(HostTar.TOP.length());
                            e.setName(name + rest + (e.isDirectory() && !rest.endsWith("/") ? "/" : ""));
                            if (e.isLink()) {
                                String l = e.getLinkName();
                                e.setLinkName(name + (l.equals(HostTar.TOP) ? "" : l.substring(HostTar.TOP.length())));
                            }
                            tar.putArchiveEntry(e);
                            if (e.isFile()) {
                                in.transferTo(tar);
                            }
                            tar.closeArchiveEntry();
                        }
                        tar.finish();
                        out.flush();
                    }
                }
            } catch (IOException e) {
                failure = e;
            }
            if (stopped) {
                p.destroyForcibly();
                try {
                    p.waitFor(HELPER_EXIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            finish(p, from, failure, null);
        } finally {
            for (ContainerRecord c : mounted) {
                lifecycle.unmountStopped(c);
            }
        }
    }

    /**
     * A tar extracted into the existing directory DIR of the container (docker's archive PUT); the entries are
     * rewritten by {@link HostTar#relay} (owned by root, as docker's cp makes them; regular files, directories,
     * symlinks and hard links only), so only the tar subset the helper reads reaches it.
     */
    public void archiveIn(String idOrName, String dir, InputStream tar) {
        String inside = dir.startsWith("/") ? dir : "/" + dir;
        Side to = new Side(lifecycle.current(idOrName), dir, inside);
        List<ContainerRecord> mounted = new ArrayList<>();
        try {
            Process p = copyIn(to, mounted, true);
            IOException failure = null;
            try (OutputStream in = p.getOutputStream()) {
                HostTar.relay(tar, in, null, new HostTar.Owner(0, 0));
            } catch (IOException e) {
                failure = e;
            }
            finish(p, to, failure, "destination must be a directory");
        } finally {
            for (ContainerRecord c : mounted) {
                lifecycle.unmountStopped(c);
            }
        }
    }

    private Process start(ProcessBuilder pb) {
        try {
            return pb.redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new EngineException("cannot run " + helper.binary() + ": " + e.getMessage(), e);
        }
    }

    /** Waits for the helper and turns its status into podman's message or the helper's own. */
    private static void finish(Process p, Side side, IOException streamFailure, String notDirectory) {
        try {
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(HELPER_EXIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EngineException("jpod-helper did not finish the copy within " + HELPER_EXIT_SECONDS + " s after its stream ended");
            }
            String msg = new String(err, StandardCharsets.UTF_8).strip();
            int nl = msg.lastIndexOf('\n');
            String last = nl >= 0 ? msg.substring(nl + 1) : msg;
            if (p.exitValue() == NOT_IN_CONTAINER) {
                throw new EngineException("\"" + side.given() + "\" could not be found on container " + side.container().name() + ": no such file or directory");
            }
            if (p.exitValue() == NOT_A_DIRECTORY && notDirectory != null) {
                throw new EngineException(notDirectory);
            }
            String created = "jpod-helper: copy: create ";
            if (p.exitValue() == TYPE_CONFLICT && last.startsWith(created) && last.lastIndexOf(": ") > created.length()) {
                throw new EngineException(conflict(last.substring(created.length(), last.lastIndexOf(": "))));
            }
            if (streamFailure != null && msg.isEmpty()) {
                // our side failed first (the helper then died of the closed pipe, silently)
                throw new EngineException("cannot copy: " + streamFailure.getMessage(), streamFailure);
            }
            if (p.exitValue() != 0) {
                throw new EngineException(msg.isEmpty() ? "jpod-helper exited with status " + p.exitValue() : last);
            }
            if (streamFailure != null) {
                throw new EngineException("cannot copy: " + streamFailure.getMessage(), streamFailure);
            }
        } catch (IOException e) {
            throw new EngineException("cannot copy: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while copying");
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
}
