package io.jpod.rootless;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;

/**
 * One container run, as read by {@code jpod-helper run SPECFILE} (contracts.md, "The C helper").
 * The file is a sequence of NUL-terminated {@code key=value} records, so values may contain anything
 * except NUL (and, inside a mount record, tab, its field separator).
 *
 * @param rootfs      the merged root filesystem, already mounted
 * @param hostname    the container's host name, or null to leave the (new, copied) UTS name as it is
 * @param cwd         absolute working directory inside the container; must exist (the helper does not create it)
 * @param uid         user the command runs as, inside the user namespace
 * @param gid         primary group
 * @param groups      supplementary groups (may be empty)
 * @param env         the container's whole environment, {@code K=V}; its PATH is used to find {@code args.get(0)}
 * @param args        argv, at least one element
 * @param network     network mode
 * @param slirp4netns the slirp4netns binary, or null to look it up on the helper's PATH
 * @param mtu         MTU for slirp4netns' tap0 (1..65521)
 * @param mounts      extra mounts, applied in order after /proc, /dev and /sys
 * @param exitFile    where the monitor writes the exit status, or null
 * @param pidFile     where the monitor writes the container init's pid, or null
 * @param extras      further records of the feature groups (security, lifecycle, ports, cgroups), written after
 *                    the core ones in list order; each group turns its own typed settings into these
 */
public record ContainerSpec(Path rootfs, String hostname, String cwd, int uid, int gid, List<Integer> groups,
                            List<String> env, List<String> args, Network network, Path slirp4netns, int mtu,
                            List<Mount> mounts, Path exitFile, Path pidFile, List<Extra> extras) {

    /** One further {@code key=value} record; the helper rejects keys it does not know. */
    public record Extra(String key, String value) {
        public Extra {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (!key.matches("[a-z][a-z0-9_-]*")) {
                throw new IllegalArgumentException("spec key must be lower-case letters, digits, '-' or '_': " + key);
            }
            checkNoNul(key, value);
        }
    }

    /** The core spec without extra records. */
    public ContainerSpec(Path rootfs, String hostname, String cwd, int uid, int gid, List<Integer> groups,
                         List<String> env, List<String> args, Network network, Path slirp4netns, int mtu,
                         List<Mount> mounts, Path exitFile, Path pidFile) {
        this(rootfs, hostname, cwd, uid, gid, groups, env, args, network, slirp4netns, mtu, mounts, exitFile, pidFile, List.of());
    }

    /** The helper's {@code net=} values. */
    public enum Network {
        NONE("none"), HOST("host"), SLIRP4NETNS("slirp4netns");

        private final String value;

        Network(String value) {
            this.value = value;
        }

        /** The value written to the spec file. */
        public String value() {
            return value;
        }
    }

    /**
     * One {@code mount=TYPE\tSOURCE\tDEST\tOPTIONS} record.
     *
     * @param type        {@code bind} or {@code tmpfs}
     * @param source      host path for bind (absolute); ignored for tmpfs (null is written as empty)
     * @param destination absolute path inside the container, symlinks already resolved against the rootfs
     * @param options     e.g. ro, nosuid, nodev, noexec, bind (non-recursive), rbind; for tmpfs also mode=, size=
     */
    public record Mount(String type, String source, String destination, List<String> options) {
        /** The longest comma-joined options the helper takes (its buffer is 1024 bytes with the NUL; it refuses more). */
        public static final int MAX_OPTIONS_LENGTH = 1023;

        public Mount {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(destination, "destination");
            if (!type.equals("bind") && !type.equals("tmpfs")) {
                throw new IllegalArgumentException("mount type must be bind or tmpfs, not " + type);
            }
            source = source == null ? "" : source;
            if (type.equals("bind") && !source.startsWith("/")) {
                throw new IllegalArgumentException("bind mount source must be an absolute path: " + source);
            }
            if (!destination.startsWith("/")) {
                throw new IllegalArgumentException("mount destination must be an absolute path: " + destination);
            }
            options = List.copyOf(options);
            for (String s : List.of(type, source, destination)) {
                checkField("mount", s);
            }
            for (String o : options) {
                checkField("mount option", o);
                if (o.isEmpty() || o.indexOf(',') >= 0) {
                    throw new IllegalArgumentException("mount option must be non-empty and without ',': " + o);
                }
            }
            int length = optionsLength(options);
            if (length > MAX_OPTIONS_LENGTH) {
                throw new IllegalArgumentException("the options of mount " + destination + " are " + length
                        + " bytes long; at most " + MAX_OPTIONS_LENGTH + " are allowed");
            }
        }

        /** The length in bytes of the options as the record carries them (comma-joined, UTF-8). */
        public static int optionsLength(List<String> options) {
            return String.join(",", options).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }

        private static void checkField(String what, String value) {
            checkNoNul(what, value);
            if (value.indexOf('\t') >= 0) {
                throw new IllegalArgumentException(what + " must not contain a tab: " + value);
            }
        }

        String record() {
            return type + '\t' + source + '\t' + destination + '\t' + String.join(",", options);
        }
    }

    public ContainerSpec {
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(network, "network");
        groups = List.copyOf(groups);
        env = List.copyOf(env);
        args = List.copyOf(args);
        mounts = List.copyOf(mounts);
        extras = List.copyOf(extras);
        if (!rootfs.isAbsolute()) {
            throw new IllegalArgumentException("rootfs must be an absolute path: " + rootfs);
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("working directory must be an absolute path: " + cwd);
        }
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a container needs a command");
        }
        if (uid < 0 || gid < 0 || groups.stream().anyMatch(g -> g < 0)) {
            throw new IllegalArgumentException("user and group ids must not be negative");
        }
        if (mtu < 1 || mtu > 65521) {
            throw new IllegalArgumentException("mtu must be between 1 and 65521: " + mtu);
        }
        if (hostname != null && (hostname.isEmpty() || hostname.getBytes(StandardCharsets.UTF_8).length > 64)) {
            throw new IllegalArgumentException("hostname must be 1 to 64 bytes: " + hostname);
        }
        for (String e : env) {
            checkNoNul("environment variable", e);
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("environment entry must be NAME=VALUE: " + e);
            }
        }
        args.forEach(a -> checkNoNul("argument", a));
        checkNoNul("rootfs", rootfs.toString());
        checkNoNul("hostname", hostname);
        checkNoNul("working directory", cwd);
        checkNoNul("slirp4netns path", slirp4netns == null ? null : slirp4netns.toString());
        checkNoNul("exit file", exitFile == null ? null : exitFile.toString());
        checkNoNul("pid file", pidFile == null ? null : pidFile.toString());
    }

    private static void checkNoNul(String what, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character: "
                    + value.replace("\0", "\\0"));
        }
    }

    /** The spec file's bytes: records in a fixed order, each {@code key=value} followed by NUL, UTF-8. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        record(out, "rootfs", rootfs.toString());
        if (hostname != null) {
            record(out, "hostname", hostname);
        }
        record(out, "cwd", cwd);
        record(out, "uid", Integer.toString(uid));
        record(out, "gid", Integer.toString(gid));
        groups.forEach(g -> record(out, "group", Integer.toString(g)));
        env.forEach(e -> record(out, "env", e));
        args.forEach(a -> record(out, "arg", a));
        record(out, "net", network.value());
        if (slirp4netns != null) {
            record(out, "slirp4netns", slirp4netns.toString());
        }
        record(out, "mtu", Integer.toString(mtu));
        mounts.forEach(m -> record(out, "mount", m.record()));
        if (exitFile != null) {
            record(out, "exitfile", exitFile.toString());
        }
        if (pidFile != null) {
            record(out, "pidfile", pidFile.toString());
        }
        extras.forEach(x -> record(out, x.key(), x.value()));
        return out.toByteArray();
    }

    private static void record(ByteArrayOutputStream out, String key, String value) {
        out.writeBytes((key + '=' + value).getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    /**
     * Writes the spec to {@code file} (mode 0600) through a temp file in the same directory and an atomic
     * rename, so the helper never reads a half-written spec. No fsync: the file lives only for this run.
     *
     * @throws RootlessException with a one-line message naming the file if it cannot be written
     */
    public void writeTo(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, encode());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new RootlessException("cannot write container spec " + file + ": " + e.getMessage(), e);
        }
    }
}
