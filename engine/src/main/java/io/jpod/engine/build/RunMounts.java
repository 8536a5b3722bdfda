package io.jpod.engine.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code RUN --mount=…} options of one step, as BuildKit and buildah define them, turned into the `--mount`
 * specs of the step's container:
 * <ul>
 * <li>{@code type=cache}: a directory kept in the store ({@code <root>/build-cache-mounts/<sha256(id)>}, id defaulting
 * to the target) that outlives the build, so package caches are reused by the next build;</li>
 * <li>{@code type=bind}: a path of the build context (or of a stage or image with {@code from=}), read-only; its
 * content (or the source image id) joins the step's cache key;</li>
 * <li>{@code type=secret}: a {@code --secret} copied to a private file of the run directory (mode 0400 unless
 * {@code mode=}) and bound read-only at {@code /run/secrets/ID} or {@code target=}; neither its content nor its file
 * reaches a layer or the cache key (Docker's rule: secrets do not invalidate the cache);</li>
 * <li>{@code type=tmpfs}: a tmpfs.</li>
 * </ul>
 * Every target is an empty mount point afterwards, removed from the layer by {@link RunArtifacts}.
 */
final class RunMounts {
    /** One mount: the container spec, its target, what it adds to the cache key ("" for nothing). */
    record Mount(String spec, String target, String keyPart) {
    }

    /** What a {@code from=} names: resolved by the builder to an image rootfs mounted for the step. */
    interface RootfsSource {
        /** The mounted rootfs of the stage or image, and its image id. */
        Map.Entry<Path, String> rootfs(String from);
    }

    private RunMounts() {
    }

    /**
     * @param flags      the RUN's flags; only {@code --mount=} ones are read
     * @param workdir    where a relative target is resolved
     * @param secretDir  a private directory for this step's secret copies (deleted by the caller)
     */
    static List<Mount> parse(List<String> flags, String workdir, SourceFiles context, Map<String, byte[]> secrets,
                             Path cacheRoot, Path secretDir, RootfsSource from) throws IOException {
        List<Mount> out = new ArrayList<>();
        for (String f : flags) {
            if (!f.startsWith("--mount=")) {
                continue;
            }
            Map<String, String> o = options(f.substring("--mount=".length()));
            String type = o.getOrDefault("type", "bind");
            String target = o.getOrDefault("target", o.getOrDefault("dst", o.get("destination")));
            switch (type) {
                case "cache" -> {
                    String t = target(required(target, type), workdir);
                    noSeed(o);
                    String id = o.getOrDefault("id", t);
                    Path dir = cacheRoot.resolve(LayerCache.sha256(id));
                    if (!Files.isDirectory(dir)) {
                        Files.createDirectories(cacheRoot);
                        Path tmp = Files.createTempDirectory(cacheRoot, ".new-");
                        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(rwx(mode(o, 0755))));
                        Files.setAttribute(tmp, "unix:uid", number(o, "uid", 0));
                        Files.setAttribute(tmp, "unix:gid", number(o, "gid", 0));
                        try {
                            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                            Files.delete(tmp);
                        }
                    }
                    out.add(new Mount("type=bind,source=" + dir + ",target=" + t + (readOnly(o, false) ? ",readonly" : ""), t, ""));
                }
                case "bind" -> {
                    String t = target(required(target, type), workdir);
                    if (!readOnly(o, true)) {
                        throw new IllegalArgumentException("a writable bind mount (rw) is not supported by jpod build: "
                                + "drop rw, or COPY the files in and remove them in the same RUN");
                    }
                    String source = o.getOrDefault("source", o.getOrDefault("src", "/"));
                    Path host;
                    String key;
                    if (o.containsKey("from")) {
                        Map.Entry<Path, String> root = from.rootfs(o.get("from"));
                        host = io.jpod.engine.container.RootfsPath.resolve(root.getKey(), SourceFiles.clean(source));
                        key = root.getValue() + ":" + source;
                    } else {
                        List<SourceFiles.Match> m = context.match(source);
                        if (m.isEmpty() || SourceFiles.hasGlob(source)) {
                            throw new IllegalArgumentException("bind mount source \"" + source + "\" is not in the build context");
                        }
                        host = m.get(0).host();
                        key = context.digest(m);
                    }
                    if (!Files.exists(host)) {
                        throw new IllegalArgumentException("bind mount source \"" + source + "\" does not exist in " + o.get("from"));
                    }
                    out.add(new Mount("type=bind,source=" + host + ",target=" + t + ",readonly", t, "bind " + t + " " + key));
                }
                case "secret" -> {
                    String id = o.get("id");
                    if (id == null || id.isEmpty() || id.contains("/")) {
                        throw new IllegalArgumentException("a secret mount needs id=ID (the id of a --secret)");
                    }
                    byte[] value = secrets.get(id);
                    if (value == null) {
                        if (Boolean.parseBoolean(o.getOrDefault("required", "false"))) {
                            throw new IllegalArgumentException("secret \"" + id + "\" is required: give it with --secret id=" + id + ",src=FILE");
                        }
                        continue; // BuildKit: an absent optional secret is simply not mounted
                    }
                    String t = target(target != null ? target : "/run/secrets/" + id, workdir);
                    Path copy = secretDir.resolve(id);
                    Files.write(copy, value);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(rwx(mode(o, 0400))));
                    Files.setAttribute(copy, "unix:uid", number(o, "uid", 0));
                    Files.setAttribute(copy, "unix:gid", number(o, "gid", 0));
                    out.add(new Mount("type=bind,source=" + copy + ",target=" + t + ",readonly", t, ""));
                }
                case "tmpfs" -> {
                    String t = target(required(target, type), workdir);
                    String size = o.get("size");
                    out.add(new Mount("type=tmpfs,target=" + t + (size == null ? "" : ",tmpfs-size=" + size), t, ""));
                }
                case "ssh" -> throw new IllegalArgumentException("RUN --mount=type=ssh is not supported by jpod build");
                default -> throw new IllegalArgumentException("unknown mount type \"" + type + "\": use cache, bind, secret or tmpfs");
            }
        }
        return out;
    }

    /** The from= values of a RUN's --mount flags (stages the step needs built first). */
    static List<String> fromRefs(List<String> flags) {
        List<String> refs = new ArrayList<>();
        for (String f : flags) {
            if (f.startsWith("--mount=")) {
                for (String part : f.substring("--mount=".length()).split(",")) {
                    if (part.startsWith("from=")) {
                        refs.add(part.substring("from=".length()));
                    }
                }
            }
        }
        return refs;
    }

    /** Docker's `--mount` syntax: comma-separated key=value; a bare key is a flag. */
    private static Map<String, String> options(String spec) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = (eq < 0 ? part : part.substring(0, eq)).toLowerCase(java.util.Locale.ROOT);
            String v = eq < 0 ? "true" : part.substring(eq + 1);
            switch (k) {
                case "type", "target", "dst", "destination", "source", "src", "from", "id", "sharing", "mode", "uid",
                     "gid", "required", "size", "readonly", "ro", "rw", "readwrite", "env" -> o.put(k, v);
                default -> throw new IllegalArgumentException("unknown --mount option \"" + k
                        + "\": use type, target, source, from, id, sharing, mode, uid, gid, required, size, readonly, rw");
            }
        }
        return o;
    }

    private static boolean readOnly(Map<String, String> o, boolean dflt) {
        if (o.containsKey("rw") || o.containsKey("readwrite")) {
            return !Boolean.parseBoolean(o.getOrDefault("rw", o.get("readwrite")));
        }
        if (o.containsKey("readonly") || o.containsKey("ro")) {
            return Boolean.parseBoolean(o.getOrDefault("readonly", o.get("ro")));
        }
        return dflt;
    }

    private static void noSeed(Map<String, String> o) {
        if (o.containsKey("from") || o.containsKey("source") || o.containsKey("src")) {
            throw new IllegalArgumentException("a cache mount seeded with from=/source= is not supported by jpod build: drop them");
        }
    }

    private static String required(String target, String type) {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("a " + type + " mount needs target=PATH");
        }
        return target;
    }

    private static String target(String t, String workdir) {
        String abs = t.startsWith("/") ? t : RootfsCopier.join(workdir, t);
        String clean = Path.of(abs).normalize().toString();
        if (clean.equals("/")) {
            throw new IllegalArgumentException("a RUN mount cannot cover / : give another target");
        }
        return clean;
    }

    private static int mode(Map<String, String> o, int dflt) {
        String m = o.get("mode");
        try {
            return m == null ? dflt : Integer.parseInt(m, 8) & 0777;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid mode \"" + m + "\": give an octal mode like 0400");
        }
    }

    private static int number(Map<String, String> o, String k, int dflt) {
        String v = o.get(k);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + k + " \"" + v + "\": give a number");
        }
    }

    private static String rwx(int mode) {
        StringBuilder b = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int p = mode >> shift;
            b.append((p & 4) != 0 ? 'r' : '-').append((p & 2) != 0 ? 'w' : '-').append((p & 1) != 0 ? 'x' : '-');
        }
        return b.toString();
    }
}
