package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.rootless.ContainerSpec;
import io.jpod.storage.StorageException;
import io.jpod.storage.VolumeStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The run's {@code -v}, {@code --mount}, {@code --tmpfs} and {@code --read-only} as the helper's mount records, with
 * podman's meaning: an absolute (or ./relative) source is a host bind mount that must exist, anything else names a
 * volume (created on first use and filled from the image's directory while still empty), a lone path is an
 * anonymous volume. Destinations are resolved inside the rootfs so an image's symlinks cannot aim a mount outside it.
 */
public final class MountSpecs {
    /**
     * What a run mounts: the records, in order, the volumes it created anonymously (removed with --rm), and the
     * sources given {@code :U} (chowned to the container's user at every start, see {@link VolumeOwnership}).
     */
    public record Prepared(List<ContainerSpec.Mount> mounts, List<String> volumes, List<String> anonymousVolumes, List<Path> chownToUser) {
    }

    /** One mount as parsed, before resolution. */
    record Parsed(String type, String source, String target, boolean readOnly, List<String> options, boolean copyUp) {
    }

    /** The -v option {@code U}: chown the source to the container's user (podman's). */
    static final String CHOWN = "U";

    private MountSpecs() {
    }

    static Prepared prepare(RunRequest.SecurityRequest sec, Path rootfs, VolumeStore volumes, String containerId) {
        List<Parsed> parsed = new ArrayList<>();
        sec.volumes().forEach(v -> parsed.add(parseVolume(v)));
        sec.mounts().forEach(m -> parsed.add(parseMount(m)));
        sec.tmpfs().forEach(t -> parsed.add(parseTmpfs(t)));
        if (sec.readOnly() && sec.readOnlyTmpfs()) {
            Set<String> taken = new LinkedHashSet<>();
            parsed.forEach(p -> taken.add(p.target()));
            for (String d : List.of("/tmp", "/var/tmp", "/run")) {
                if (!taken.contains(d)) {
                    parsed.add(new Parsed("tmpfs", null, d, false, List.of("nosuid", "nodev", d.equals("/run") ? "mode=755" : "mode=1777"), false));
                }
            }
        }
        List<ContainerSpec.Mount> out = new ArrayList<>();
        List<String> used = new ArrayList<>();
        List<String> anonymous = new ArrayList<>();
        List<Path> chownToUser = new ArrayList<>();
        Map<String, Parsed> targets = new java.util.HashMap<>();
        for (Parsed p : parsed) {
            Parsed before = targets.putIfAbsent(p.target(), p);
            if (before != null && before.equals(p)) {
                continue; // the same mount given twice is one mount, as in podman
            }
            if (before != null) {
                throw new EngineException(p.target() + ": duplicate mount destination");
            }
            String dest = inRootfs(rootfs, p.target());
            List<String> opts = new ArrayList<>(p.options());
            boolean chown = opts.remove(CHOWN); // :U is jpod's to do, not a mount option
            if (p.readOnly()) {
                opts.add("ro");
            }
            int length = ContainerSpec.Mount.optionsLength(opts);
            if (length > ContainerSpec.Mount.MAX_OPTIONS_LENGTH) {
                throw new EngineException("the options of the mount on " + p.target() + " are " + length
                        + " bytes long: at most " + ContainerSpec.Mount.MAX_OPTIONS_LENGTH + " are allowed; shorten them");
            }
            switch (p.type()) {
                case "tmpfs" -> out.add(new ContainerSpec.Mount("tmpfs", null, dest, opts));
                case "bind" -> {
                    Path src = Path.of(p.source()).toAbsolutePath().normalize();
                    if (!Files.exists(src)) {
                        throw new EngineException("bind mount source " + src + " does not exist: create it first, or name a volume instead");
                    }
                    out.add(new ContainerSpec.Mount("bind", src.toString(), dest, opts));
                    if (chown) {
                        chownToUser.add(src);
                    }
                }
                case "volume" -> {
                    String name = p.source();
                    boolean created;
                    try {
                        if (name == null) {
                            name = HexFormat.of().formatHex(randomBytes());
                            anonymous.add(name);
                        }
                        created = volumes.tryCreate(name, Map.of()).isPresent();
                    } catch (StorageException e) {
                        throw new EngineException(e.getMessage(), e);
                    }
                    Map<String, String> driverOptions = volumes.get(name).map(io.jpod.storage.VolumeRecord::options).orElse(Map.of());
                    if ("tmpfs".equals(driverOptions.get("type")) || "bind".equals(driverOptions.get("type"))) {
                        // volume create -o type=…: a tmpfs of its own at each mount, or the named host directory
                        List<String> mountOpts = new ArrayList<>(opts);
                        if (driverOptions.get("o") != null && !driverOptions.get("o").isEmpty()) {
                            mountOpts.addAll(List.of(driverOptions.get("o").split(",")));
                        }
                        boolean tmpfs = "tmpfs".equals(driverOptions.get("type"));
                        volumes.addUser(name, containerId);
                        volumes.mark(name, VolumeStore.FIRST_USED);
                        used.add(name);
                        out.add(new ContainerSpec.Mount(tmpfs ? "tmpfs" : "bind", tmpfs ? null : driverOptions.get("device"), dest,
                                tmpfs ? mountOpts : mountOpts.stream().filter(o -> !o.contains("=")).toList()));
                        continue;
                    }
                    Path data = volumes.dataDir(name);
                    // podman's NeedsCopyUp: until a copy-up has filled it, an empty volume is filled from the image
                    if (p.copyUp() && (created || !volumes.marked(name, VolumeStore.COPIED_UP)) && isEmpty(data)) {
                        copyUp(RootfsPath.resolve(rootfs, p.target()), data);
                        if (!isEmpty(data)) {
                            volumes.mark(name, VolumeStore.COPIED_UP);
                        }
                    }
                    volumes.addUser(name, containerId);
                    volumes.mark(name, VolumeStore.FIRST_USED);
                    used.add(name);
                    out.add(new ContainerSpec.Mount("bind", data.toString(), dest, opts));
                    if (chown) {
                        chownToUser.add(data);
                    }
                }
                default -> throw new IllegalStateException(p.type());
            }
        }
        return new Prepared(out, used, anonymous, chownToUser);
    }

    /**
     * The user's mounts first, then jpod's generated /etc files on top (so a volume on /etc still gets the
     * container's hosts and resolv.conf), except where the user mounted that very file.
     */
    static List<ContainerSpec.Mount> merge(List<ContainerSpec.Mount> user, List<ContainerSpec.Mount> generated) {
        List<ContainerSpec.Mount> out = new ArrayList<>(user);
        Set<String> taken = new LinkedHashSet<>();
        user.forEach(m -> taken.add(m.destination()));
        generated.stream().filter(m -> !taken.contains(m.destination())).forEach(out::add);
        return out;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** The destination as the helper wants it: absolute, resolved inside the rootfs. */
    static String inRootfs(Path rootfs, String target) {
        if (target == null || !target.startsWith("/")) {
            throw new EngineException("invalid container path \"" + target + "\": it must be an absolute path");
        }
        Path resolved = RootfsPath.resolve(rootfs, target);
        String rel = rootfs.relativize(resolved).toString();
        if (rel.isEmpty()) {
            throw new EngineException("cannot mount over the container's root directory /");
        }
        return "/" + rel;
    }

    /** {@code -v SRC:DEST[:OPTS]}, {@code -v NAME:DEST[:OPTS]} or {@code -v DEST}. */
    static Parsed parseVolume(String spec) {
        String[] f = spec.split(":", -1);
        if (f.length > 3 || spec.isEmpty() || List.of(f).contains("")) {
            throw new EngineException("invalid volume \"" + spec + "\": expected SOURCE:DEST[:OPTIONS] or DEST");
        }
        if (f.length == 1) {
            return volumeOrBind(null, f[0], "", spec);
        }
        return volumeOrBind(f[0], f[1], f.length == 3 ? f[2] : "", spec);
    }

    private static Parsed volumeOrBind(String source, String target, String options, String spec) {
        boolean readOnly = false;
        boolean copy = true;
        List<String> opts = new ArrayList<>();
        boolean nosuid = false, nodev = false, noexec = false;
        boolean recursive = true;
        boolean chown = false;
        for (String o : options.isEmpty() ? new String[0] : options.split(",")) {
            switch (o) {
                case "ro" -> readOnly = true;
                case "rw" -> readOnly = false;
                case "z", "Z", "private", "rprivate", "shared", "rshared", "slave", "rslave" -> {
                    // no SELinux labels rootless; propagation stays private: nothing to do
                }
                case "nosuid" -> nosuid = true;
                case "nodev" -> nodev = true;
                case "noexec" -> noexec = true;
                case "suid" -> nosuid = false;
                case "dev" -> nodev = false;
                case "exec" -> noexec = false;
                case "bind" -> recursive = false;
                case "rbind" -> recursive = true;
                case "copy" -> copy = true;
                case "nocopy" -> copy = false;
                case CHOWN -> chown = true;
                default -> throw new EngineException("invalid volume option \"" + o + "\" in \"" + spec
                        + "\": jpod supports ro, rw, z, Z, U, nosuid, nodev, noexec, suid, dev, exec, bind, rbind, copy, nocopy");
            }
        }
        opts.add(recursive ? "rbind" : "bind");
        if (nosuid) {
            opts.add("nosuid");
        }
        if (nodev) {
            opts.add("nodev");
        }
        if (noexec) {
            opts.add("noexec");
        }
        if (chown) {
            opts.add(CHOWN);
        }
        if (source == null) {
            return new Parsed("volume", null, target, readOnly, opts, copy);
        }
        if (source.startsWith("/") || source.startsWith("./") || source.startsWith("../") || source.equals(".") || source.equals("..")) {
            return new Parsed("bind", source, target, readOnly, opts, false);
        }
        if (!VolumeStore.isValidName(source)) {
            throw new EngineException("invalid volume name \"" + source + "\" in \"" + spec + "\": a host path must be absolute or start with ./");
        }
        return new Parsed("volume", source, target, readOnly, opts, copy);
    }

    /** {@code --tmpfs PATH[:OPTS]}, podman's defaults rw,noexec,nosuid,nodev. */
    static Parsed parseTmpfs(String spec) {
        int colon = spec.indexOf(':');
        String target = colon < 0 ? spec : spec.substring(0, colon);
        String options = colon < 0 ? "" : spec.substring(colon + 1);
        return new Parsed("tmpfs", null, target, false, tmpfsOptions(options, spec, true), false);
    }

    private static List<String> tmpfsOptions(String options, String spec, boolean noexecDefault) {
        boolean nosuid = true, nodev = true, noexec = noexecDefault, ro = false, copyUp = true;
        List<String> data = new ArrayList<>();
        for (String o : options.isEmpty() ? new String[0] : options.split(",")) {
            switch (o) {
                case "ro" -> ro = true;
                case "rw" -> ro = false;
                case "nosuid" -> nosuid = true;
                case "suid" -> nosuid = false;
                case "nodev" -> nodev = true;
                case "dev" -> nodev = false;
                case "noexec" -> noexec = true;
                case "exec" -> noexec = false;
                case "tmpcopyup" -> copyUp = true;
                case "notmpcopyup" -> copyUp = false;
                case "rprivate", "private" -> {
                }
                default -> {
                    if (!o.matches("(size|mode|nr_inodes|nr_blocks|uid|gid)=[0-9a-zA-Z%]+")) {
                        throw new EngineException("invalid tmpfs option \"" + o + "\" in \"" + spec + "\"");
                    }
                    data.add(o);
                }
            }
        }
        List<String> out = new ArrayList<>();
        if (ro) {
            out.add("ro");
        }
        if (nosuid) {
            out.add("nosuid");
        }
        if (nodev) {
            out.add("nodev");
        }
        if (noexec) {
            out.add("noexec");
        }
        out.addAll(data);
        if (copyUp) {
            out.add("tmpcopyup"); // podman's default: the image's files at the destination are copied into the tmpfs
        }
        return out;
    }

    /** {@code --mount type=bind|volume|tmpfs,source=…,target=…[,readonly][,…]}. */
    static Parsed parseMount(String spec) {
        String type = null, source = null, target = null;
        boolean readOnly = false, copy = true;
        List<String> bindOpts = new ArrayList<>();
        List<String> tmpfsOpts = new ArrayList<>();
        for (String kv : spec.split(",")) {
            int eq = kv.indexOf('=');
            String k = (eq < 0 ? kv : kv.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? null : kv.substring(eq + 1);
            switch (k) {
                case "type" -> type = v;
                case "source", "src" -> source = v;
                case "target", "destination", "dst" -> target = v;
                case "readonly", "ro" -> readOnly = v == null || v.equals("true") || v.equals("1");
                case "rw" -> readOnly = v != null && (v.equals("false") || v.equals("0"));
                case "tmpfs-size" -> tmpfsOpts.add("size=" + v);
                case "tmpfs-mode" -> tmpfsOpts.add("mode=" + v);
                case "volume-nocopy" -> copy = false;
                case "bind-propagation", "relabel", "z", "Z", "consistency", "bind-nonrecursive" -> {
                    if (k.equals("bind-nonrecursive") && (v == null || v.equals("true"))) {
                        bindOpts.add("bind");
                    }
                }
                case "nosuid", "nodev", "noexec" -> bindOpts.add(k);
                default -> throw new EngineException("invalid --mount option \"" + kv + "\" in \"" + spec
                        + "\": use type, source, target, readonly, tmpfs-size, tmpfs-mode, volume-nocopy, bind-propagation");
            }
        }
        if (type == null) {
            throw new EngineException("invalid --mount \"" + spec + "\": type=bind, volume or tmpfs is required");
        }
        if (target == null) {
            throw new EngineException("invalid --mount \"" + spec + "\": target= is required");
        }
        return switch (type) {
            case "bind" -> {
                if (source == null) {
                    throw new EngineException("invalid --mount \"" + spec + "\": a bind mount needs source=");
                }
                List<String> o = new ArrayList<>();
                o.add(bindOpts.remove("bind") ? "bind" : "rbind");
                o.addAll(bindOpts);
                yield new Parsed("bind", source, target, readOnly, o, false);
            }
            case "volume" -> {
                if (source != null && !VolumeStore.isValidName(source)) {
                    throw new EngineException("invalid --mount \"" + spec + "\": \"" + source + "\" is not a volume name");
                }
                List<String> o = new ArrayList<>();
                o.add("rbind");
                bindOpts.stream().filter(x -> !x.equals("bind")).forEach(o::add);
                yield new Parsed("volume", source, target, readOnly, o, copy);
            }
            case "tmpfs" -> new Parsed("tmpfs", null, target, readOnly, tmpfsOptions(String.join(",", tmpfsOpts), spec, false), false);
            default -> throw new EngineException("invalid --mount \"" + spec + "\": type must be bind, volume or tmpfs, not " + type);
        };
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** podman's copy-up: a new volume starts with what the image has at its mount point (owners and modes kept). */
    private static void copyUp(Path from, Path data) {
        if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS) || isEmpty(from)) {
            return;
        }
        try {
            // cp -a keeps owners, modes, times, links and special files; it runs as the namespace's root, like us
            Process p = new ProcessBuilder("cp", "-a", "--", from + "/.", data + "/").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EngineException("copying " + from + " into a new volume took longer than 120 s");
            }
            if (p.exitValue() != 0) {
                throw new EngineException("cannot copy the image's " + from + " into the new volume: "
                        + new String(out, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new EngineException("cannot copy the image's " + from + " into the new volume: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while copying into a new volume");
        }
    }
}
