package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.rootless.ContainerSpec;
import io.jpod.rootless.ShmSettings;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run/create flags scripts written for podman use beyond the core ones: --replace, --cidfile, --shm-size, --device,
 * --group-add, --env-host, --tz, --no-hosts, --timeout. Every check runs in {@link #validate} before anything is created; the
 * other methods are called on the run path only when their flag was given.
 */
public final class RunFlags {
    private RunFlags() {
    }

    /** Whether any of these flags was given (the run path skips this class otherwise). */
    static boolean any(RunRequest r) {
        return r.lifecycle().cidFile() != null || r.resources().shmSize() != null || !r.security().devices().isEmpty()
                || !r.process().groupAdd().isEmpty() || r.process().timezone() != null || r.network().noHosts()
                || r.lifecycle().timeout() != null || !r.lifecycle().annotations().isEmpty();
    }

    /** All the one-line errors these flags can give, before a container exists (and before --replace removes one). */
    public static void validate(RunRequest r) {
        if (r.lifecycle().cidFile() != null && Files.exists(r.lifecycle().cidFile(), LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException("container id file " + r.lifecycle().cidFile() + " exists: ensure another container"
                    + " is not using it or delete it");
        }
        if (r.resources().shmSize() != null) {
            shmSize(r.resources().shmSize());
        }
        for (String d : r.security().devices()) {
            Device.parse(d).checkHost();
        }
        List<String> groups = r.process().groupAdd();
        if (groups.contains("keep-groups") && groups.size() > 1) { // podman's check comes first
            throw new EngineException("the '--group-add keep-groups' option is not allowed with any other --group-add options");
        }
        if (groups.contains("keep-groups")) {
            throw new EngineException("--group-add keep-groups is not supported by jpod (the container cannot keep your"
                    + " host groups): give the groups as gids or names of the image's /etc/group");
        }
        for (String g : groups) {
            if (g.isBlank()) {
                throw new EngineException("--group-add needs a group name or gid, not an empty string");
            }
        }
        if (r.process().timezone() != null) {
            timezoneSource(r.process().timezone());
        }
    }

    // ---------------------------------------------------------------- --replace

    /** --replace: the container named as the new one is removed first, as `rm -f` does. */
    static void replace(LocalContainerService containers, String name) {
        for (ContainerRecord c : containers.list()) {
            if (name.equals(c.name())) {
                containers.remove(c.id(), new ContainerRemoveOptions(true, false, 0));
                return;
            }
        }
    }

    // ---------------------------------------------------------------- --cidfile

    /** Writes the id (no newline, as podman) to a temp file beside {@code file}, then links it in: never overwrites. */
    static void writeCidFile(Path file, String id) {
        Path tmp = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"))); // podman's 0644
            Files.writeString(tmp, id, StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.createLink(file, tmp); // atomic and fails if the file appeared meanwhile
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                if (e instanceof FileAlreadyExistsException) {
                    throw e;
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE); // a file system without hard links
            }
        } catch (FileAlreadyExistsException e) {
            throw new EngineException("container id file " + file + " exists: ensure another container is not using it or delete it");
        } catch (IOException e) {
            throw new EngineException("cannot write container id file " + file + ": " + e.getMessage()
                    + "; give a path in a writable directory");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // a stray temp file beside the cidfile is harmless
                }
            }
        }
    }

    // ---------------------------------------------------------------- --shm-size

    /**
     * podman's --shm-size: a number with an optional b, k, m or g unit (powers of 1024; "kb", "mib" … too), bytes
     * without one; 0 means no limit.
     */
    static long shmSize(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        String number = t.replaceFirst("[a-z]+$", "");
        String unit = t.substring(number.length());
        long mult = switch (unit) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1024L;
            case "m", "mb", "mib" -> 1024L * 1024;
            case "g", "gb", "gib" -> 1024L * 1024 * 1024;
            case "t", "tb", "tib" -> 1024L * 1024 * 1024 * 1024;
            default -> -1L;
        };
        try {
            double v = Double.parseDouble(number);
            if (mult < 0 || number.isEmpty() || !number.matches("[0-9]*\\.?[0-9]+") || v * mult > Long.MAX_VALUE / 2) {
                throw new NumberFormatException();
            }
            return (long) (v * mult);
        } catch (NumberFormatException e) {
            throw new EngineException("invalid --shm-size " + s + ": give a size such as 64m, 1g or 0 (no limit)");
        }
    }

    // ---------------------------------------------------------------- --device

    /** The symlinks the helper makes in the container's /dev: no device can go there. */
    private static final List<String> HELPER_LINKS = List.of("/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/ptmx");

    /** One --device HOST[:CONTAINER][:PERMS]; the container path defaults to the host path, the permissions to rwm. */
    record Device(String host, String container, String permissions) {
        static Device parse(String spec) {
            String[] p = spec.split(":", -1);
            String host = p[0];
            String container = host;
            String perms = "rwm";
            if (p.length == 2) {
                if (isPermissions(p[1])) {
                    perms = p[1];
                } else {
                    container = p[1];
                }
            } else if (p.length == 3) {
                container = p[1];
                perms = p[2];
                if (!isPermissions(perms)) {
                    throw new EngineException("invalid --device " + spec + ": permissions \"" + perms
                            + "\" must be a combination of r, w and m");
                }
            } else if (p.length > 3) {
                throw new EngineException("invalid --device " + spec + ": give HOST[:CONTAINER][:PERMISSIONS]");
            }
            for (String path : List.of(host, container)) {
                if (!path.startsWith("/") || path.contains("\t") || List.of(path.split("/")).contains("..")) {
                    throw new EngineException("invalid --device " + spec + ": \"" + path
                            + "\" must be an absolute path without \"..\"");
                }
            }
            String c = Path.of(container).normalize().toString();
            if (c.equals("/dev") || c.equals("/") || HELPER_LINKS.contains(c) || c.startsWith("/dev/fd/")) {
                throw new EngineException("invalid --device " + spec + ": the container path must name a device file,"
                        + " not " + c + " (jpod's own /dev entry)");
            }
            return new Device(host, Path.of(container).normalize().toString(), perms);
        }

        private static boolean isPermissions(String s) {
            return !s.isEmpty() && s.length() <= 3 && s.chars().allMatch(c -> c == 'r' || c == 'w' || c == 'm')
                    && s.chars().distinct().count() == s.length();
        }

        /** The host path must be a character or block device (a symlink is followed, as podman does). */
        void checkHost() {
            Path p = Path.of(host);
            int mode;
            try {
                mode = (Integer) Files.getAttribute(p, "unix:mode");
            } catch (IOException e) {
                throw new EngineException("--device " + host + ": " + (e instanceof java.nio.file.NoSuchFileException
                        ? "no such file" : e.getMessage()) + " on the host; give an existing device node such as /dev/fuse");
            }
            int type = mode & 0170000;
            if (type != 0020000 && type != 0060000) {
                throw new EngineException("--device " + host + " is not a device node on the host (not a character or"
                        + " block device); give one such as /dev/fuse");
            }
        }

        /** The host path with symlinks resolved (podman stores the node, not the link). */
        String resolvedHost() {
            try {
                return Path.of(host).toRealPath().toString();
            } catch (IOException e) {
                return host;
            }
        }

        /** The stored form, HOST:CONTAINER:PERMS. */
        String stored() {
            return host + ":" + container + ":" + permissions;
        }
    }

    /**
     * The bind mounts of the --device nodes into the container's /dev (a user namespace cannot mknod; the bound node
     * keeps the host's devtmpfs mount, so it works). Applied after the helper set /dev up.
     */
    static List<ContainerSpec.Mount> deviceMounts(List<String> devices, Path rootfs) {
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        for (String d : devices) {
            Device dev = Device.parse(d);
            // /dev is the helper's own tmpfs (no image symlinks in it); elsewhere the image's links resolve inside the rootfs
            String dest = dev.container().startsWith("/dev/") ? dev.container()
                    : "/" + rootfs.relativize(RootfsPath.resolve(rootfs, dev.container()));
            mounts.add(new ContainerSpec.Mount("bind", dev.resolvedHost(), dest, List.of("bind", "nosuid")));
        }
        return mounts;
    }

    // ---------------------------------------------------------------- --group-add

    /** The user with the --group-add groups (gids as given, names from the image's /etc/group) added. */
    static ContainerUser addGroups(Path rootfs, ContainerUser user, List<String> groupAdd) {
        if (groupAdd.isEmpty()) {
            return user;
        }
        List<String[]> groupFile = ContainerUser.read(rootfs, "/etc/group");
        List<Long> groups = new ArrayList<>(user.groups());
        for (String g : groupAdd) {
            long gid = ContainerUser.lookupGroup(groupFile, g);
            if (gid > 65536) {
                throw new EngineException("--group-add " + g + " (gid " + gid + ") is outside the ids mapped into the user"
                        + " namespace (0-65536); use a smaller gid");
            }
            if (!groups.contains(gid)) {
                groups.add(gid);
            }
        }
        return new ContainerUser(user.uid(), user.gid(), List.copyOf(groups), user.home());
    }

    // ---------------------------------------------------------------- --env-host

    /** What the launcher and the helper add to jpod's environment for themselves: not the caller's. */
    private static final List<String> LAUNCHER_ENV = List.of("JPOD_HOME", "JPOD_HELPER", "JPOD_IN_USERNS", "JPOD_USERNS_SETUP",
            "JPOD_PROGRAM");

    /**
     * --env-host: the caller's environment first, so the image's Env (and then -e) win, as in podman; without the
     * variables jpod's launcher set for itself.
     */
    static List<String> withHostEnv(Map<String, String> callerEnv, List<String> imageEnv) {
        List<String> out = new ArrayList<>();
        callerEnv.forEach((k, v) -> {
            if (!k.isEmpty() && !LAUNCHER_ENV.contains(k) && k.indexOf('=') < 0 && k.indexOf('\0') < 0 && v.indexOf('\0') < 0) {
                out.add(k + "=" + v);
            }
        });
        if (imageEnv != null) {
            out.addAll(imageEnv);
        }
        return out;
    }

    // ---------------------------------------------------------------- --tz

    /** The host file a --tz value names: /etc/localtime for "local", else /usr/share/zoneinfo/TZ. */
    static Path timezoneSource(String tz) {
        if (tz.isEmpty()) {
            throw new EngineException("--tz needs a time zone such as Europe/Berlin, UTC or local");
        }
        if (tz.equals("local")) {
            Path local = Path.of("/etc/localtime");
            if (!Files.isRegularFile(local)) {
                throw new EngineException("--tz local: the host has no /etc/localtime; give a zone name such as Europe/Berlin");
            }
            return local;
        }
        Path zone = Path.of("/usr/share/zoneinfo").resolve(tz).normalize();
        if (tz.startsWith("/") || !zone.startsWith("/usr/share/zoneinfo/") || !Files.isRegularFile(zone)) {
            throw new EngineException("--tz " + tz + ": unknown time zone (no /usr/share/zoneinfo/" + tz
                    + " on the host); give a name such as Europe/Berlin, UTC or local");
        }
        return zone;
    }

    /**
     * --tz: a copy of the zone file in the run dir bound read-only on the image's /etc/localtime (podman copies it
     * too, so the container does not see later host changes); TZ in the environment is left alone, as podman does.
     */
    static ContainerSpec.Mount timezoneMount(String tz, Path rootfs, Path runDir) throws IOException {
        Path copy = runDir.resolve("localtime");
        Files.copy(timezoneSource(tz), copy, StandardCopyOption.REPLACE_EXISTING);
        String inRoot = "/" + rootfs.relativize(RootfsPath.resolve(rootfs, "/etc/localtime"));
        return new ContainerSpec.Mount("bind", copy.toString(), inRoot, List.of("bind", "ro", "nosuid", "nodev", "noexec"));
    }

    // ---------------------------------------------------------------- spec and record

    /** The spec records for /dev/shm, only when --shm-size was given (the helper's default is podman's 64m). */
    static List<ContainerSpec.Extra> extras(RunRequest r) {
        return r.resources().shmSize() == null ? List.of() : new ShmSettings(shmSize(r.resources().shmSize())).extras();
    }

    /** What inspect shows of these flags, kept in the record (null when none was given). */
    static ContainerLifecycle.RunFlags stored(RunRequest r, String ociRuntime) {
        if (!any(r) && ociRuntime == null) {
            return null;
        }
        return new ContainerLifecycle.RunFlags(r.resources().shmSize() == null ? null : shmSize(r.resources().shmSize()),
                r.security().devices().stream().map(d -> Device.parse(d).stored()).toList(),
                r.process().groupAdd(), r.process().timezone(),
                r.lifecycle().cidFile() == null ? null : r.lifecycle().cidFile().toString(),
                r.network().noHosts() ? Boolean.TRUE : null, r.lifecycle().timeout(), ociRuntime,
                r.lifecycle().annotations().isEmpty() ? null : r.lifecycle().annotations());
    }

    /** Inspect's Config.Annotations: those given with --annotation (or by kube play). */
    static Map<String, String> annotations(ContainerLifecycle.Config cfg) {
        return cfg == null || cfg.runFlags() == null || cfg.runFlags().annotations() == null ? Map.of() : cfg.runFlags().annotations();
    }

    /** Inspect's .OCIRuntime: the helper given with --runtime, else jpod's own (podman's runtime name). */
    static String ociRuntime(ContainerLifecycle.Config cfg) {
        return cfg != null && cfg.runFlags() != null && cfg.runFlags().ociRuntime() != null ? cfg.runFlags().ociRuntime() : "jpod-helper";
    }

    /** Inspect's HostConfig fields of these flags, podman's names: ShmSize, Devices, GroupAdd, ContainerIDFile. */
    static void inspectHost(ContainerLifecycle.Config cfg, Map<String, Object> host) {
        ContainerLifecycle.RunFlags f = cfg == null ? null : cfg.runFlags();
        host.put("ShmSize", f == null || f.shmSize() == null ? ShmSettings.DEFAULT_BYTES : f.shmSize());
        List<Map<String, Object>> devices = new ArrayList<>();
        if (f != null && f.devices() != null) {
            for (String d : f.devices()) {
                String[] p = d.split(":", 3);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("PathOnHost", p[0]);
                m.put("PathInContainer", p.length > 1 ? p[1] : p[0]);
                m.put("CgroupPermissions", p.length > 2 ? p[2] : "rwm");
                devices.add(m);
            }
        }
        host.put("Devices", devices);
        host.put("GroupAdd", f == null || f.groupAdd() == null ? List.of() : f.groupAdd());
        host.put("ContainerIDFile", f == null || f.cidFile() == null ? "" : f.cidFile());
    }

    /** Inspect's Config.Timezone (podman's name; "" when the image's is kept). */
    static String timezone(ContainerLifecycle.Config cfg) {
        return cfg == null || cfg.runFlags() == null || cfg.runFlags().timezone() == null ? "" : cfg.runFlags().timezone();
    }

    /** With --no-hosts the container has no /etc/hosts of jpod's: inspect's HostsPath is empty. */
    static boolean noHosts(ContainerLifecycle.Config cfg) {
        return cfg != null && cfg.runFlags() != null && Boolean.TRUE.equals(cfg.runFlags().noHosts());
    }
}
