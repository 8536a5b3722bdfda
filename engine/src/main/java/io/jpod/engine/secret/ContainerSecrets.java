package io.jpod.engine.secret;

import io.jpod.engine.container.RootfsPath;

import io.jpod.engine.EngineException;
import io.jpod.rootless.ContainerSpec;
import io.jpod.storage.SecretStore.SecretRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * `run --secret NAME[,type=mount|env][,target=T][,uid=N][,gid=N][,mode=M]` as podman gives it: by default a read-only
 * file {@code /run/secrets/NAME}, 0444 and owned 0:0, holding the data the secret had when the container was made
 * (a copy under the container's directory, so removing the secret later leaves the container intact); type=env
 * puts it in the environment variable TARGET (default NAME) instead.
 */
public final class ContainerSecrets {
    /** One parsed --secret. */
    record Use(String name, boolean env, String target, int uid, int gid, int mode) {
    }

    private ContainerSecrets() {
    }

    /** Parses every --secret (podman's "option X invalid: parsing secret" on a bad option). */
    static List<Use> parse(List<String> specs) {
        List<Use> out = new ArrayList<>();
        for (String spec : specs) {
            String[] parts = spec.split(",");
            String name = parts[0];
            boolean env = false;
            String target = null;
            int uid = 0;
            int gid = 0;
            int mode = 0444;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i];
                int eq = p.indexOf('=');
                String k = eq < 0 ? p : p.substring(0, eq);
                String v = eq < 0 ? "" : p.substring(eq + 1);
                try {
                    switch (k) {
                        case "type" -> {
                            if (!v.equals("mount") && !v.equals("env")) {
                                throw new EngineException("type " + v + " is invalid: parsing secret");
                            }
                            env = v.equals("env");
                        }
                        case "target" -> target = v;
                        case "uid" -> uid = Integer.parseInt(v);
                        case "gid" -> gid = Integer.parseInt(v);
                        case "mode" -> mode = Integer.parseInt(v, 8);
                        default -> throw new EngineException("option " + p + " invalid: parsing secret");
                    }
                } catch (NumberFormatException e) {
                    throw new EngineException("option " + p + " invalid: parsing secret");
                }
            }
            if (name.isEmpty()) {
                throw new EngineException("option " + spec + " invalid: parsing secret");
            }
            if (env && (uid != 0 || gid != 0 || mode != 0444)) {
                throw new EngineException("UID, GID, Mode options cannot be set with secret type env");
            }
            out.add(new Use(name, env, target, uid, gid, mode));
        }
        return out;
    }

    /** Checks every --secret's options and that its secret exists (before the container is made). */
    public static void check(Secrets secrets, List<String> specs) {
        for (Use u : parse(specs)) {
            secrets.get(u.name());
        }
    }

    /**
     * The secrets' files, written under {@code containerDir/secrets}, as read-only bind mounts resolved inside the
     * rootfs; NAME=VALUE entries added to {@code env} for type=env.
     */
    public static List<ContainerSpec.Mount> prepare(Secrets secrets, List<String> specs, Path rootfs, Path containerDir, List<String> env)
            throws IOException {
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        if (specs.isEmpty()) {
            return mounts;
        }
        for (Use u : parse(specs)) {
            SecretRecord r = secrets.get(u.name());
            byte[] data = secrets.data(r);
            if (u.env()) {
                env.removeIf(e -> e.startsWith((u.target() == null ? u.name() : u.target()) + "="));
                env.add((u.target() == null ? u.name() : u.target()) + "=" + new String(data, StandardCharsets.UTF_8));
                continue;
            }
            String target = u.target() == null || u.target().isEmpty() ? "/run/secrets/" + u.name()
                    : u.target().startsWith("/") ? u.target() : "/run/secrets/" + u.target();
            Path dir = containerDir.resolve("secrets");
            Files.createDirectories(dir);
            Path file = dir.resolve(r.id() + "-" + mounts.size());
            Files.deleteIfExists(file);
            Files.write(file, data);
            Files.setAttribute(file, "unix:uid", u.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(file, "unix:gid", u.gid(), LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(file, permissions(u.mode()));
            String dest = "/" + rootfs.relativize(RootfsPath.resolve(rootfs, target));
            mounts.add(new ContainerSpec.Mount("bind", file.toString(), dest, List.of("bind", "ro", "nosuid", "nodev", "noexec")));
        }
        return mounts;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }
}
