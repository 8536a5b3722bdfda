package io.jpod.engine;

import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * `jpod cp`: copies between the host and a container. The container side is done by the helper inside the
 * container's root (copy-in/copy-out, rootless/src/main/c/copy.c): in a running container's mount namespace, so
 * its volumes are seen as it sees them and nothing it swaps meanwhile can redirect a write or a read to the host;
 * a stopped container's rootfs is mounted for the copy. The two sides talk tar ({@link HostTar}).
 */
public final class Copier {
    private static final int NOT_IN_CONTAINER = 2; // the helper's exit status for a path the container lacks
    private static final int HELPER_EXIT_SECONDS = 30;

    private final Store store;
    private final Lifecycle lifecycle;
    private final NativeHelper helper;

    Copier(Store store, Lifecycle lifecycle, NativeHelper helper) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.helper = helper;
    }

    void copy(String source, String destination) {
        int s = containerPart(source);
        int d = containerPart(destination);
        if ((s < 0) == (d < 0)) {
            throw new EngineException("cp copies between a container and the host: give exactly one of source and destination as CONTAINER:PATH");
        }
        String spec = s >= 0 ? source : destination;
        int colon = s >= 0 ? s : d;
        ContainerRecord c = lifecycle.current(spec.substring(0, colon));
        String given = spec.substring(colon + 1);
        String inside = given.startsWith("/") ? given : "/" + given;
        Path hostSource = s >= 0 ? null : Path.of(source);
        if (hostSource != null && !Files.exists(hostSource, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException("\"" + source + "\" could not be found on the host: no such file or directory");
        }
        boolean running = "running".equals(c.state());
        NativeHelper.ContainerProcess process = running ? lifecycle.containerProcess(c) : NativeHelper.ContainerProcess.NOT_RUNNING;
        Path merged = store.containers().mergedDir(c.id());
        if (!running) {
            lifecycle.mount(c);
        }
        try {
            if (hostSource != null) {
                copyIn(c, merged, process, hostSource, inside, given);
            } else {
                copyOut(c, merged, process, inside, given, Path.of(destination));
            }
        } finally {
            if (!running) {
                lifecycle.unmountStopped(c);
            }
        }
    }

    private void copyIn(ContainerRecord c, Path merged, NativeHelper.ContainerProcess process, Path src, String inside, String given) {
        Process p = start(helper.copyIn(merged, process, inside).redirectOutput(ProcessBuilder.Redirect.DISCARD));
        IOException writeFailure = null;
        try (OutputStream in = p.getOutputStream()) {
            String top = src.getFileName() == null ? "root" : src.getFileName().toString();
            HostTar.write(src, top, in);
        } catch (IOException e) {
            writeFailure = e; // a broken pipe when the helper gave up: its own message says why
        }
        finish(p, c, given, writeFailure);
    }

    private void copyOut(ContainerRecord c, Path merged, NativeHelper.ContainerProcess process, String inside, String given, Path dst) {
        Path target = dst;
        String name = Path.of(inside).getFileName() == null ? null : Path.of(inside).getFileName().toString();
        if (Files.isDirectory(dst) && name != null && !name.equals(".") && !name.equals("..")) {
            target = dst.resolve(name);
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new EngineException("\"" + parent + "\" could not be found on the host: no such file or directory");
        }
        Process p = start(helper.copyOut(merged, process, inside).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
        IOException readFailure = null;
        try (InputStream out = p.getInputStream()) {
            HostTar.extract(out, target);
            out.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            readFailure = e;
        }
        finish(p, c, given, readFailure);
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
    void archiveOut(String idOrName, String path, java.util.function.Function<PathStat, OutputStream> open) {
        String inside = path.startsWith("/") ? path : "/" + path;
        String name = Path.of(inside).getFileName() == null ? "/" : Path.of(inside).getFileName().toString();
        withContainer(idOrName, (c, merged, process) -> {
            Process p = start(helper.copyOut(merged, process, inside).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
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
            finish(p, c, path, failure);
        });
    }

    /**
     * A tar extracted into the existing directory DIR of the container (docker's archive PUT); the entries are
     * written anew (owned by root, regular files, directories, symlinks and hard links only) so that only the
     * tar subset the helper reads reaches it.
     */
    void archiveIn(String idOrName, String dir, InputStream tar) {
        String inside = dir.startsWith("/") ? dir : "/" + dir;
        withContainer(idOrName, (c, merged, process) -> {
            Process p = start(helper.copyIn(merged, process, inside).redirectOutput(ProcessBuilder.Redirect.DISCARD));
            IOException failure = null;
            try (OutputStream to = p.getOutputStream();
                 org.apache.commons.compress.archivers.tar.TarArchiveInputStream in =
                         new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(tar)) {
                org.apache.commons.compress.archivers.tar.TarArchiveOutputStream out =
                        new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(to);
                out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
                out.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (org.apache.commons.compress.archivers.tar.TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    String name = e.getName();
                    while (name.startsWith("./")) {
                        name = name.substring(2);
                    }
                    if (name.isEmpty() || name.equals(".") || name.equals("./")) {
                        continue; // the directory itself
                    }
                    org.apache.commons.compress.archivers.tar.TarArchiveEntry w;
                    if (e.isDirectory()) {
                        w = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name.endsWith("/") ? name : name + "/");
                    } else if (e.isSymbolicLink()) {
                        w = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name,
                                org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
                        w.setLinkName(e.getLinkName());
                    } else if (e.isLink()) {
                        w = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name,
                                org.apache.commons.compress.archivers.tar.TarConstants.LF_LINK);
                        w.setLinkName(e.getLinkName());
                    } else if (e.isFile()) {
                        w = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
                        w.setSize(e.getSize());
                    } else {
                        continue; // devices, fifos: not copied, as jpod cp does not
                    }
                    w.setMode(e.getMode());
                    w.setModTime(e.getModTime());
                    w.setIds(0, 0);
                    out.putArchiveEntry(w);
                    if (w.isFile()) {
                        in.transferTo(out);
                    }
                    out.closeArchiveEntry();
                }
                out.finish();
            } catch (IOException e) {
                failure = e;
            }
            finish(p, c, dir, failure);
        });
    }

    private interface ContainerWork {
        void run(ContainerRecord c, Path merged, NativeHelper.ContainerProcess process);
    }

    /** Runs the work with the container's root reachable: a running container's namespaces, else its rootfs mounted. */
    private void withContainer(String idOrName, ContainerWork work) {
        ContainerRecord c = lifecycle.current(idOrName);
        boolean running = "running".equals(c.state());
        NativeHelper.ContainerProcess process = running ? lifecycle.containerProcess(c) : NativeHelper.ContainerProcess.NOT_RUNNING;
        Path merged = store.containers().mergedDir(c.id());
        if (!running) {
            lifecycle.mount(c);
        }
        try {
            work.run(c, merged, process);
        } finally {
            if (!running) {
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
    private static void finish(Process p, ContainerRecord c, String given, IOException streamFailure) {
        try {
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(HELPER_EXIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EngineException("jpod-helper did not finish the copy within " + HELPER_EXIT_SECONDS + " s after its stream ended");
            }
            if (p.exitValue() == NOT_IN_CONTAINER) {
                throw new EngineException("\"" + given + "\" could not be found on container " + c.name() + ": no such file or directory");
            }
            String msg = new String(err, StandardCharsets.UTF_8).strip();
            if (streamFailure != null && msg.isEmpty()) {
                // our side failed first (the helper then died of the closed pipe, silently)
                throw new EngineException("cannot copy: " + streamFailure.getMessage(), streamFailure);
            }
            if (p.exitValue() != 0) {
                int nl = msg.lastIndexOf('\n');
                throw new EngineException(msg.isEmpty() ? "jpod-helper exited with status " + p.exitValue() : nl >= 0 ? msg.substring(nl + 1) : msg);
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
