package io.jpod.image;

import java.util.Locale;

/**
 * A normalised image reference following the distribution reference grammar
 * {@code [registry[:port]/]path[:tag][@sha256:hex]}.
 * Docker Hub short names are expanded: {@code alpine} → {@code docker.io/library/alpine:latest}.
 * A reference with neither tag nor digest gets the tag {@code latest}.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    /** Where Docker Hub's registry API actually lives. */
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    private static final int MAX_NAME_LENGTH = 255;

    public ImageReference {
        if (registry == null || repository == null) {
            throw new IllegalArgumentException("registry and repository are required");
        }
    }

    public static ImageReference parse(String ref) {
        if (ref == null || ref.isEmpty()) {
            throw invalid(ref == null ? "" : ref, "empty reference");
        }
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw invalid(ref, "contains whitespace or control characters");
            }
        }
        String rest = ref;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (digest.indexOf('@') >= 0) {
                throw invalid(ref, "more than one '@'");
            }
            checkDigest(ref, digest);
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int lastColon = rest.lastIndexOf(':');
        if (lastColon > lastSlash) {
            tag = rest.substring(lastColon + 1);
            rest = rest.substring(0, lastColon);
            if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
                throw invalid(ref, tag.isEmpty() ? "empty tag" : "invalid tag \"" + tag + "\"");
            }
        }
        if (rest.isEmpty()) {
            throw invalid(ref, "missing repository name");
        }
        String registry = DOCKER_HUB;
        String path = rest;
        int firstSlash = rest.indexOf('/');
        if (firstSlash >= 0 && looksLikeRegistry(rest.substring(0, firstSlash))) {
            registry = rest.substring(0, firstSlash);
            path = rest.substring(firstSlash + 1);
            checkRegistry(ref, registry);
            registry = registry.toLowerCase(Locale.ROOT);
            if (registry.equals("index.docker.io")) {
                registry = DOCKER_HUB;
            }
        }
        if (path.isEmpty()) {
            throw invalid(ref, "missing repository name");
        }
        checkPath(ref, path);
        if (registry.equals(DOCKER_HUB) && path.indexOf('/') < 0) {
            path = "library/" + path;
        }
        if (registry.length() + 1 + path.length() > MAX_NAME_LENGTH) {
            throw invalid(ref, "repository name longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, path, tag, digest);
    }

    /** "registry/repository" without tag or digest. */
    public String repositoryName() {
        return registry + "/" + repository;
    }

    /** The full normalised name: "docker.io/library/alpine:latest", "...@sha256:..." or "...:tag@sha256:...". */
    public String name() {
        StringBuilder b = new StringBuilder(repositoryName());
        if (tag != null) {
            b.append(':').append(tag);
        }
        if (digest != null) {
            b.append('@').append(digest);
        }
        return b.toString();
    }

    /** The host[:port] that serves the registry API (docker.io is served by registry-1.docker.io). */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API_HOST : registry;
    }

    /** What to put after /manifests/: the digest if there is one (it pins the content), else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** A copy that names {@code newDigest} instead of a tag. */
    public ImageReference withDigest(String newDigest) {
        return new ImageReference(registry, repository, null, newDigest);
    }

    @Override
    public String toString() {
        return name();
    }

    /** Per the docker rule: the first component is a registry if it has a '.' or ':' or is "localhost" (or an IPv6 literal). */
    private static boolean looksLikeRegistry(String first) {
        return first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost") || first.startsWith("[");
    }

    private static void checkRegistry(String ref, String registry) {
        String host = registry;
        String port = null;
        if (registry.startsWith("[")) {
            int close = registry.indexOf(']');
            if (close < 0) {
                throw invalid(ref, "unterminated IPv6 address in registry \"" + registry + "\"");
            }
            String inner = registry.substring(1, close);
            if (inner.isEmpty() || !inner.matches("[0-9A-Fa-f:.]+") || inner.indexOf(':') < 0) {
                throw invalid(ref, "invalid IPv6 address in registry \"" + registry + "\"");
            }
            String after = registry.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw invalid(ref, "invalid registry \"" + registry + "\"");
                }
                port = after.substring(1);
            }
        } else {
            int colon = registry.indexOf(':');
            if (colon >= 0) {
                host = registry.substring(0, colon);
                port = registry.substring(colon + 1);
            }
            if (!host.matches("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
                throw invalid(ref, "invalid registry host \"" + host + "\"");
            }
        }
        if (port != null) {
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw invalid(ref, "invalid registry port \"" + port + "\"");
            }
        }
    }

    private static void checkPath(String ref, String path) {
        for (String component : path.split("/", -1)) {
            if (component.isEmpty()) {
                throw invalid(ref, "empty path component");
            }
            if (!component.equals(component.toLowerCase(Locale.ROOT))) {
                throw invalid(ref, "repository name must be lowercase");
            }
            if (!component.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")) {
                throw invalid(ref, "invalid repository name component \"" + component
                        + "\" (allowed: lowercase letters, digits, and single '.', '_', '__' or '-' runs between them)");
            }
        }
    }

    private static void checkDigest(String ref, String digest) {
        if (Digests.isSha256(digest)) {
            return;
        }
        int colon = digest.indexOf(':');
        if (colon > 0 && !digest.substring(0, colon).equals("sha256")) {
            throw invalid(ref, "unsupported digest algorithm \"" + digest.substring(0, colon) + "\" (only sha256 is supported)");
        }
        throw invalid(ref, "invalid digest \"" + digest + "\" (expected sha256: and 64 lowercase hex digits)");
    }

    private static ImageException invalid(String ref, String why) {
        return new ImageException("invalid image reference \"" + ref + "\": " + why);
    }
}
