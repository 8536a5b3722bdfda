package io.jpod.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Registry credentials the way podman finds them: {@code --authfile} (or {@code REGISTRY_AUTH_FILE}) alone if given, else
 * {@code $XDG_RUNTIME_DIR/containers/auth.json}, {@code ~/.config/containers/auth.json}, {@code ~/.docker/config.json}, first
 * match wins. Plain {@code auths} entries are read here; {@code credHelpers}/{@code credsStore} go through Jib core's docker
 * config retriever, which runs the {@code docker-credential-*} helpers — loaded only when such an entry applies.
 */
public final class AuthStore {
    private static final String DOCKER_HUB_LEGACY = "https://index.docker.io/v1/";

    private final List<Path> files;
    /** the caller's environment: credential helpers are found on its PATH and run with it */
    private final Map<String, String> env;

    private AuthStore(List<Path> files, Map<String, String> env) {
        this.files = List.copyOf(files);
        this.env = env;
    }

    /** The files to search; {@code authfile} may be null. */
    public static AuthStore of(Map<String, String> env, String authfile) {
        String explicit = authfile != null ? authfile : blankToNull(env.get("REGISTRY_AUTH_FILE"));
        if (explicit != null) {
            return new AuthStore(List.of(Path.of(explicit)), env);
        }
        List<Path> files = new ArrayList<>();
        String runtime = blankToNull(env.get("XDG_RUNTIME_DIR"));
        if (runtime != null) {
            files.add(Path.of(runtime, "containers", "auth.json"));
        }
        String home = blankToNull(env.get("HOME"));
        if (home != null) {
            String config = blankToNull(env.get("XDG_CONFIG_HOME"));
            files.add((config != null ? Path.of(config) : Path.of(home, ".config")).resolve("containers/auth.json"));
            files.add(Path.of(home, ".docker", "config.json"));
        }
        return new AuthStore(files, env);
    }

    /** Where {@code jpod login} writes: the explicit file, else podman's default {@code $XDG_RUNTIME_DIR/containers/auth.json}. */
    public static Path loginFile(Map<String, String> env, String authfile) {
        String explicit = authfile != null ? authfile : blankToNull(env.get("REGISTRY_AUTH_FILE"));
        if (explicit != null) {
            return Path.of(explicit);
        }
        String runtime = blankToNull(env.get("XDG_RUNTIME_DIR"));
        if (runtime != null) {
            return Path.of(runtime, "containers", "auth.json");
        }
        String home = blankToNull(env.get("HOME"));
        if (home == null) {
            throw new ImageException("neither XDG_RUNTIME_DIR nor HOME is set; give the credentials file with --authfile");
        }
        return Path.of(home, ".config", "containers", "auth.json");
    }

    public List<Path> files() {
        return files;
    }

    /** A supplier for {@link RegistryClient}: nothing is read until the registry asks for credentials. */
    public Supplier<Credentials> lazy(ImageReference ref) {
        return () -> find(ref);
    }

    /** The credentials for {@code ref}'s registry (the most specific key wins within a file), or null. */
    public Credentials find(ImageReference ref) {
        List<String> keys = candidateKeys(ref);
        for (Path file : files) {
            JsonNode root = read(file);
            if (root == null) {
                continue;
            }
            JsonNode auths = root.path("auths");
            for (String key : keys) {
                Iterator<Map.Entry<String, JsonNode>> it = auths.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (normaliseKey(e.getKey()).equals(key)) {
                        Credentials c = decode(e.getValue(), file, e.getKey());
                        if (c != null) {
                            return c;
                        }
                    }
                }
            }
            boolean helper = root.path("credHelpers").has(ref.registry()) || root.path("credHelpers").has(ref.apiHost())
                    || root.path("credsStore").isTextual();
            if (helper) {
                String name = root.path("credHelpers").path(ref.registry()).asText(
                        root.path("credHelpers").path(ref.apiHost()).asText(root.path("credsStore").asText("")));
                // Jib skips a missing helper silently; podman fails, and an anonymous 401 would hide the cause
                Path program = name.isEmpty() ? null : onPath("docker-credential-" + name);
                if (!name.isEmpty() && program == null) {
                    throw new ImageException("credential helper docker-credential-" + name + " (named in " + file + " for "
                            + ref.registry() + ") is not on PATH; install it or remove the entry");
                }
                Credentials c = program == null ? null : JibHelpers.retrieve(program, file, ref, env);
                if (c != null) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Adds or replaces {@code key}'s entry in {@code file} (0600, written atomically; other content kept). */
    public static void store(Path file, String key, Credentials credentials) {
        ObjectNode root = readForUpdate(file);
        ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        auths.putObject(key).put("auth", Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)));
        write(file, root);
    }

    /** Removes {@code key} (or every entry when key is null) from {@code file}; false when there was nothing to remove. */
    public static boolean remove(Path file, String key) {
        if (!Files.exists(file)) {
            return false;
        }
        ObjectNode root = readForUpdate(file);
        JsonNode auths = root.get("auths");
        if (!(auths instanceof ObjectNode a) || a.isEmpty()) {
            return false;
        }
        boolean removed;
        if (key == null) {
            a.removeAll();
            removed = true;
        } else {
            removed = a.remove(key) != null;
            if (!removed && key.equals(ImageReference.DOCKER_HUB)) {
                removed = a.remove(DOCKER_HUB_LEGACY) != null;
            }
        }
        if (removed) {
            write(file, root);
        }
        return removed;
    }

    /** "registry/a/b/c", "registry/a/b", "registry/a", "registry" — podman's lookup order, most specific first. */
    static List<String> candidateKeys(ImageReference ref) {
        List<String> keys = new ArrayList<>();
        String path = ref.registry() + "/" + ref.repository();
        while (true) {
            keys.add(path);
            int slash = path.lastIndexOf('/');
            if (slash < 0) {
                break;
            }
            path = path.substring(0, slash);
        }
        if (ref.registry().equals(ImageReference.DOCKER_HUB)) {
            keys.add("index.docker.io");
            keys.add(ImageReference.DOCKER_HUB_API_HOST);
        }
        return keys;
    }

    /** Strips a scheme and docker's legacy "/v1/" suffix: "https://index.docker.io/v1/" → "index.docker.io". */
    static String normaliseKey(String key) {
        String k = key.trim();
        String lower = k.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            k = k.substring(k.indexOf("://") + 3);
            int slash = k.indexOf('/');
            if (slash >= 0) {
                k = k.substring(0, slash); // a URL key names a registry; its path is the API version, not a namespace
            }
        }
        while (k.endsWith("/")) {
            k = k.substring(0, k.length() - 1);
        }
        return k;
    }

    private static Credentials decode(JsonNode entry, Path file, String key) {
        String auth = entry.path("auth").asText("");
        if (auth.isEmpty()) {
            String user = entry.path("username").asText("");
            String pass = entry.path("password").asText("");
            return user.isEmpty() ? null : new Credentials(user, pass);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ImageException(file + ": the \"auth\" of \"" + key + "\" is not base64; log in again with jpod login");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new ImageException(file + ": the \"auth\" of \"" + key + "\" is not USER:PASSWORD; log in again with jpod login");
        }
        return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) {
                return null;
            }
            return Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new ImageException("cannot read credentials file " + file + ": " + ManifestParser.oneLine(String.valueOf(e.getMessage()))
                    + "; fix or remove it");
        }
    }

    private static ObjectNode readForUpdate(Path file) {
        JsonNode n = read(file);
        if (n == null) {
            return Json.mapper().createObjectNode();
        }
        if (!(n instanceof ObjectNode o)) {
            throw new ImageException("credentials file " + file + " is not a JSON object; fix or remove it");
        }
        return o;
    }

    private static void write(Path file, ObjectNode root) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path tmp = Files.createTempFile(dir, ".auth-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
                    ch.write(java.nio.ByteBuffer.wrap("\n".getBytes(StandardCharsets.UTF_8)));
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ImageException("cannot write credentials file " + file + ": " + ManifestParser.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The executable {@code command} in one of the caller's PATH directories, or null. */
    private Path onPath(String command) {
        String path = env.get("PATH");
        if (path == null || command.contains("/")) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, command))) {
                return Path.of(dir, command);
            }
        }
        return null;
    }

    /** Jib core, in its own class so it is loaded only when a credential helper applies. */
    private static final class JibHelpers {
        /** Runs {@code program} (found on the caller's PATH) with the caller's environment. */
        static Credentials retrieve(Path program, Path file, ImageReference ref, Map<String, String> env) {
            try {
                com.google.cloud.tools.jib.api.ImageReference jibRef =
                        com.google.cloud.tools.jib.api.ImageReference.of(ref.registry(), ref.repository(), null);
                var credential = com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory.forImage(jibRef, event -> { }, env)
                        .dockerCredentialHelper(program).retrieve();
                return credential.map(c -> new Credentials(c.getUsername(), c.getPassword())).orElse(null);
            } catch (com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException e) {
                throw new ImageException("credential helper for " + ref.registry() + " (configured in " + file + ") failed: "
                        + ManifestParser.oneLine(String.valueOf(e.getMessage())));
            }
        }
    }
}
