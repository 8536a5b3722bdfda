package io.jpod.engine.image;


import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.ImageInUseException;
import io.jpod.engine.NoSuchImageException;
import io.jpod.storage.ContainerState;
import io.jpod.engine.system.EventLog;
import io.jpod.image.AuthStore;
import io.jpod.image.Credentials;
import io.jpod.image.ImageProgressEvent;
import io.jpod.image.ImagePuller;
import io.jpod.image.ImageReference;
import io.jpod.image.PlainHttpRegistries;
import io.jpod.image.PullOptions;
import io.jpod.image.ImageException;
import io.jpod.image.RegistriesConf;
import io.jpod.image.RegistryClient;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The image commands behind {@link Engine}: pull with credentials, login/logout, and the local image management. */
public final class ImageCommands {
    private final Store store;
    private final Map<String, String> env;
    private final Path runRoot;

    /** Removes a pod's infra container with its pod (rmi -f of the pause image); false for any other container. */
    private java.util.function.Predicate<io.jpod.storage.ContainerRecord> podInfraRemover = c -> false;

    /** How rmi -f removes an infra container: with its pod (the pods are the engine's, not the image commands'). */
    public ImageCommands withPodInfraRemover(java.util.function.Predicate<io.jpod.storage.ContainerRecord> remover) {
        this.podInfraRemover = remover;
        return this;
    }

    /** @param runRoot where pulls remember registries that answer only plain HTTP; null: nowhere */
    public ImageCommands(Store store, Map<String, String> env, Path runRoot) {
        this.store = store;
        this.env = env;
        this.runRoot = runRoot;
    }

    /**
     * @param creds    "USER:PASS" from --creds, or null to look in the auth files
     * @param authfile --authfile, or null for podman's default search
     * @param progress where progress events go; null: nowhere
     */
    public ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, Consumer<ImageProgressEvent> progress, String creds, String authfile) {
        java.util.Optional<io.jpod.image.ImageTransports.Reference> transport = io.jpod.image.ImageTransports.parse(name);
        if (transport.isPresent() && transport.get().local()) {
            return io.jpod.image.ImageTransports.pull(store, transport.get(), quiet ? null : progress).get(0);
        }
        if (transport.isPresent()) {
            name = transport.get().name(); // docker://NAME: the registry, as without a transport
        }
        RegistriesConf conf = RegistriesConf.isShortName(name) || RegistriesConf.hasRegistryTables(env) ? RegistriesConf.load(env)
                : RegistriesConf.empty();
        List<ImageReference> candidates = conf.candidates(name);
        boolean searched = RegistriesConf.isShortName(name) && !conf.searchRegistries().isEmpty() && candidates.size() > 1;
        Consumer<ImageProgressEvent> say = quiet ? null : progress;
        if (searched && say != null) {
            say.accept(new ImageProgressEvent.Resolving(name, List.copyOf(conf.searchRegistries())));
        }
        PullOptions options = new PullOptions(tlsVerify, platform, quiet, progress,
                runRoot == null ? null : PlainHttpRegistries.in(runRoot.resolve("plain-http")));
        List<String> tried = new ArrayList<>();
        ImageException last = null;
        for (ImageReference candidate : candidates) {
            List<RegistriesConf.Endpoint> endpoints;
            try {
                endpoints = conf.endpoints(candidate);
            } catch (ImageException blocked) {
                last = blocked;
                tried.add(candidate.name() + " (blocked)");
                continue;
            }
            for (RegistriesConf.Endpoint ep : endpoints) {
                try {
                    ImageRecord rec = new ImagePuller(store, options, credentials(ep.ref(), creds, authfile))
                            .pull(ep.ref(), candidate, tlsVerify && !ep.insecure());
                    if (say != null && (searched || ep.mirror())) {
                        say.accept(new ImageProgressEvent.Resolved(name, candidate.name(), ep.mirror() ? ep.ref().registry() : null));
                    }
                    return rec;
                } catch (ImageException e) {
                    last = e;
                    tried.add(ep.ref().name());
                }
            }
        }
        if (tried.size() <= 1 && last != null) {
            throw last;
        }
        throw new ImageException("cannot pull \"" + name + "\": tried " + String.join(", ", tried) + "; last error: " + last.getMessage());
    }

    Supplier<Credentials> credentials(ImageReference ref, String creds, String authfile) {
        Credentials explicit = parseCreds(creds);
        if (explicit != null) {
            return () -> explicit;
        }
        return AuthStore.of(env, authfile).lazy(ref);
    }

    /** podman's --creds: "USER:PASS" ("USER" alone would prompt there; jpod has no prompt, so it is refused). */
    static Credentials parseCreds(String creds) {
        if (creds == null) {
            return null;
        }
        int colon = creds.indexOf(':');
        if (colon <= 0) {
            throw new EngineException("--creds must be USERNAME:PASSWORD");
        }
        return new Credentials(creds.substring(0, colon), creds.substring(colon + 1));
    }

    /** Checks the credentials against the registry (GET /v2/), then stores them; returns the file written. */
    public static Path login(Map<String, String> env, String registry, Credentials credentials, String authfile, boolean tlsVerify) {
        String key = registryKey(registry);
        ImageReference probe = new ImageReference(hostOf(key), key.contains("/") ? key.substring(key.indexOf('/') + 1) : "jpod/login",
                "latest", null);
        try (RegistryClient client = new RegistryClient(probe, tlsVerify, credentials)) {
            client.checkLogin();
        }
        Path file = AuthStore.loginFile(env, authfile);
        AuthStore.store(file, key, credentials);
        return file;
    }

    /** Removes the entry of {@code registry} (all entries when null); false if there was none. */
    public static boolean logout(Map<String, String> env, String registry, String authfile) {
        Path file = AuthStore.loginFile(env, authfile);
        return AuthStore.remove(file, registry == null ? null : registryKey(registry));
    }

    /** "https://Reg:5000/ns/" → "reg:5000/ns"; "docker.io" and its aliases → "docker.io". */
    static String registryKey(String registry) {
        String r = registry.trim();
        int scheme = r.indexOf("://");
        if (scheme >= 0) {
            r = r.substring(scheme + 3);
        }
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        if (r.isEmpty()) {
            throw new EngineException("no registry given; e.g. jpod login registry.example.com");
        }
        String host = hostOf(r).toLowerCase(Locale.ROOT);
        if (host.equals("index.docker.io") || host.equals(ImageReference.DOCKER_HUB_API_HOST)) {
            host = ImageReference.DOCKER_HUB;
        }
        if (r.endsWith("/v1") || r.endsWith("/v2")) {
            r = r.substring(0, r.length() - 3);
        }
        int slash = r.indexOf('/');
        return slash < 0 ? host : host + r.substring(slash);
    }

    private static String hostOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(0, slash);
    }


    /** `jpod push IMAGE [DESTINATION]`: returns the pushed manifest digest. */
    public String push(String image, String destination, boolean tlsVerify, boolean quiet, Consumer<ImageProgressEvent> progress, String creds, String authfile) {
        ImageRecord r = find(image);
        String destName = destination;
        if (destName == null) {
            destName = r.names().contains(image) ? image : matchedName(image, r);
            if (destName == null) {
                throw new EngineException("image " + image + " has no name to push to; give a destination, e.g. jpod push " + image
                        + " registry.example.com/repo:tag");
            }
        }
        java.util.Optional<io.jpod.image.ImageTransports.Reference> transport = io.jpod.image.ImageTransports.parse(destName);
        if (transport.isPresent() && transport.get().local()) {
            io.jpod.image.ImageTransports.push(store, r, r.names().contains(image) ? image : matchedName(image, r), transport.get(),
                    quiet ? null : progress);
            return r.manifestDigest();
        }
        if (transport.isPresent()) {
            destName = transport.get().name();
        }
        ImageReference dest = ImageReference.parse(destName);
        return new io.jpod.image.ImagePusher(store, tlsVerify, credentials(dest, creds, authfile), quiet ? null : progress).push(r, dest);
    }

    /** `jpod save`: one image as {@code format} (docker-archive, oci-archive) to {@code out}; names default to the image's own. */
    public void save(String image, String format, java.io.OutputStream out) {
        ImageRecord r = find(image);
        String matched = r.names().contains(image) ? image : matchedName(image, r);
        try {
            io.jpod.image.ImageArchives.save(store, r, format, matched, out);
        } catch (java.io.IOException e) {
            throw new EngineException("cannot write the archive: " + e.getMessage());
        }
    }

    /**
     * The images `jpod save ARG...` writes. Without {@code multi} the first argument is the image and the others are
     * more names for it, qualified as `jpod tag` qualifies them (foo → localhost/foo:latest); with it each argument is
     * an image, written under the name it was asked by (none when asked by id), one entry per image however many
     * arguments name it. As in podman.
     */
    List<io.jpod.image.ImageArchives.Saved> toSave(List<String> args, boolean multi) {
        java.util.Map<String, ImageRecord> images = new java.util.LinkedHashMap<>();
        java.util.Map<String, java.util.LinkedHashSet<String>> names = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (i > 0 && !multi) {
                names.get(images.keySet().iterator().next()).add(qualify(arg));
                continue;
            }
            ImageRecord r = find(arg);
            images.putIfAbsent(r.id(), r);
            java.util.LinkedHashSet<String> n = names.computeIfAbsent(r.id(), k -> new java.util.LinkedHashSet<>());
            String matched = matchedName(arg, r);
            if (matched != null) {
                n.add(matched);
            }
        }
        List<io.jpod.image.ImageArchives.Saved> out = new ArrayList<>();
        images.forEach((id, r) -> out.add(new io.jpod.image.ImageArchives.Saved(r, List.copyOf(names.get(id)))));
        return out;
    }

    /** `jpod save` to a tarball: {@link #toSave} in {@code format} (docker-archive, oci-archive) to {@code out}. */
    public void save(List<String> args, boolean multi, String format, boolean uncompressed, java.io.OutputStream out) {
        List<io.jpod.image.ImageArchives.Saved> images = toSave(args, multi);
        if (!io.jpod.image.ImageArchives.DOCKER_ARCHIVE.equals(format)) {
            oneName(images, format);
        }
        try {
            io.jpod.image.ImageArchives.save(store, images, format, uncompressed, out);
        } catch (java.io.IOException e) {
            throw new EngineException("cannot write the archive: " + e.getMessage());
        }
    }

    /** The one image of an OCI layout or docker-dir, which has room for one name (podman drops the others silently). */
    private static io.jpod.image.ImageArchives.Saved oneName(List<io.jpod.image.ImageArchives.Saved> images, String format) {
        if (images.size() != 1) {
            throw new EngineException("--format " + format + " holds one image; -m (--multi-image-archive) is only for docker-archive");
        }
        if (images.get(0).names().size() > 1) {
            throw new EngineException("--format " + format + " holds one name for the image; more names (tags) are written only"
                    + " to a docker-archive");
        }
        return images.get(0);
    }

    /** `jpod save --format oci-dir|docker-dir -o DIR`: one image (with at most one name) into a new directory; see ImageDirectories. */
    public void saveDirectory(List<String> args, String format, boolean compress, Path target) {
        io.jpod.image.ImageArchives.Saved one = oneName(toSave(args, false), format);
        try {
            io.jpod.image.ImageDirectories.save(store, one.image(), format, one.names().isEmpty() ? null : one.names().get(0), compress,
                    target);
        } catch (java.io.IOException e) {
            throw new EngineException("cannot write " + target + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    /** `jpod load`: from a file, or from {@code in} (copied to a temporary file first: the archive needs random access). */
    public List<ImageRecord> load(Path file, java.io.InputStream in, Consumer<ImageProgressEvent> progress) {
        Path tmp = null;
        try {
            if (file == null) {
                tmp = java.nio.file.Files.createTempFile(store.root(), ".load-", ".tar");
                try (java.io.OutputStream o = java.nio.file.Files.newOutputStream(tmp)) {
                    in.transferTo(o);
                }
                file = tmp;
            } else if (!java.nio.file.Files.isRegularFile(file) && !java.nio.file.Files.isDirectory(file)) {
                throw new EngineException(file + ": no such archive file or directory");
            }
            return io.jpod.image.ImageArchives.load(store, file, progress);
        } catch (java.io.IOException e) {
            throw new EngineException("cannot read the archive: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    + "; jpod load reads docker-archive and oci-archive tarballs (plain or gzip) and oci-dir and docker-dir directories");
        } finally {
            if (tmp != null) {
                try {
                    java.nio.file.Files.deleteIfExists(tmp);
                } catch (java.io.IOException ignored) {
                    // a leftover temp file in the storage root is harmless
                }
            }
        }
    }

    /** `jpod import`: {@code file} null reads {@code in}; {@code reference} null gives an image without a name. */
    public ImageRecord importTarball(Path file, java.io.InputStream in, List<String> changes, String message, String reference,
                                     Consumer<ImageProgressEvent> warnings) {
        String name = reference == null ? null : qualify(reference);
        try (java.io.InputStream src = file == null ? in : java.nio.file.Files.newInputStream(file)) {
            return io.jpod.image.ImageImporter.importTarball(store, src, changes, message, name, warnings);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new EngineException(file + ": no such file");
        } catch (java.io.IOException e) {
            throw new EngineException("cannot import " + (file == null ? "standard input" : file) + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "; is it a tar archive?");
        }
    }

    // ---------------------------------------------------------------- local images

    public ImageRecord find(String nameOrId) {
        return new ImageResolver(store, env).local(nameOrId)
                .orElseThrow(() -> new NoSuchImageException(nameOrId));
    }

    /** podman's rule for names given to tag: a name without a registry goes under localhost/. */
    public static String qualify(String name) {
        String n = RegistriesConf.isShortName(name) ? "localhost/" + name : name;
        ImageReference ref = ImageReference.parse(n);
        if (ref.digest() != null) {
            throw new EngineException("cannot tag with a digest: " + name);
        }
        return ref.name();
    }

    /** NAME[:TAG]@DIGEST as the image's digest reference REPOSITORY@DIGEST (the tag only said where it came from). */
    private static String digestReference(String name) {
        ImageReference ref = ImageReference.parse(RegistriesConf.isShortName(name) ? "localhost/" + name : name);
        return ref.withDigest(ref.digest()).name();
    }

    private static String digestReferenceOrNull(String name) {
        try {
            return digestReference(name);
        } catch (ImageException e) {
            return null;
        }
    }

    public void tag(String image, List<String> targets) {
        ImageRecord r = find(image);
        byte[] manifest = store.images().manifest(r.id());
        byte[] config = store.images().config(r.id());
        for (String t : targets) {
            store.images().put(r.id(), manifest, config, r.manifestDigest(), r.layers(), r.size(), qualify(t), null);
            event("tag", r.id(), t); // podman's event names the tag as given (090-events "image events")
        }
    }

    /** Records an image event (`jpod events`); ids without their "sha256:". */
    private void event(String status, String id, String name) {
        EventLog.of(runRoot, "image", status, id == null ? null : id.replaceFirst("^sha256:", ""), name);
    }

    /** Removes the given names (all names when none are given). */
    public void untag(String image, List<String> names) {
        ImageRecord r = find(image);
        if (names.isEmpty()) {
            io.jpod.storage.ImageNames.untag(store, r.id(), null);
            return;
        }
        for (String n : names) {
            String q = r.names().contains(n) || r.digests().contains(n) ? n : n.contains("@") ? digestReference(n) : qualify(n);
            if (!r.names().contains(q) && !r.digests().contains(q)) {
                throw new EngineException(n + ": tag not known"); // podman's words
            }
            r = io.jpod.storage.ImageNames.untag(store, r.id(), q);
            event("untag", r.id(), q);
        }
    }

    /** `jpod rmi`: what went, image by image (podman's "Untagged: …", "Deleted: …"). */
    public ImageRemoveReport remove(List<String> images, boolean force, boolean all) {
        return remove(images, force, all, null);
    }

    /** @param runningRemover with force, stops and removes a running container of the image (null: refused) */
    public ImageRemoveReport remove(List<String> images, boolean force, boolean all, java.util.function.Consumer<String> runningRemover) {
        List<ImageRemoveReport.Removed> out = new ArrayList<>();
        List<String> targets = new ArrayList<>(images);
        if (all) {
            for (ImageRecord r : store.images().list()) {
                targets.add(r.id());
            }
        }
        for (String image : targets) {
            java.util.Optional<ImageRecord> found = new ImageResolver(store, env).local(image);
            if (found.isEmpty() && all) {
                continue; // removed meanwhile with its container or as another name of an image already removed
            }
            if (found.isEmpty() && new ManifestLists(store).exists(image)) { // a manifest list of that name goes as podman's
                out.add(new ManifestLists(store).removeReport(image));
                continue;
            }
            ImageRecord r = found.orElseThrow(() -> new NoSuchImageException(image));
            String digestRef = image.contains("@") && !all ? digestReferenceOrNull(image) : null;
            if (digestRef != null && r.digests().contains(digestRef) && !r.names().isEmpty()) {
                // REPOSITORY@DIGEST of a tagged image: podman drops that reference only, the image stays by its tags
                io.jpod.storage.ImageNames.untag(store, r.id(), digestRef);
                out.add(new ImageRemoveReport.Removed(List.of(image), null));
                event("untag", r.id(), digestRef);
                continue;
            }
            String matched = matchedName(image, r);
            boolean byName = matched != null;
            if (byName && r.names().size() > 1) {
                io.jpod.storage.ImageNames.untag(store, r.id(), matched);
                out.add(new ImageRemoveReport.Removed(List.of(matched), null));
                event("untag", r.id(), matched);
                continue;
            }
            if (!byName && r.names().size() > 1 && !force) {
                throw new EngineException("unable to delete image " + r.id().substring(7) + " (must force): it is referenced by "
                        + r.names().size() + " names; use -f, or remove it by name");
            }
            List<io.jpod.storage.ContainerRecord> users = store.containers().list().stream()
                    .filter(c -> r.id().equals(c.imageId())).toList();
            if (!users.isEmpty() && !force) { // podman's words
                throw new ImageInUseException("image used by " + users.get(0).id()
                        + ": image is in use by a container: consider listing external containers and force-removing image");
            }
            boolean podsRemoved = false;
            for (io.jpod.storage.ContainerRecord c : users) {
                podsRemoved |= podInfraRemover.test(c);
            }
            if (podsRemoved) { // each infra went with its pod, and maybe other users with it
                users = store.containers().list().stream().filter(c -> r.id().equals(c.imageId())).toList();
            }
            for (io.jpod.storage.ContainerRecord c : users) {
                if (c.state() == ContainerState.RUNNING && runningRemover != null) {
                    runningRemover.accept(c.id());
                    continue;
                }
                if (c.state() == ContainerState.RUNNING) {
                    throw new EngineException("image " + r.id().substring(7, 19) + " is in use by running container " + c.name()
                            + "; stop it first");
                }
                store.containers().remove(c.id());
            }
            for (String n : r.names()) {
                event("untag", r.id(), n);
            }
            store.images().remove(r.id());
            collectLayers(r);
            out.add(new ImageRemoveReport.Removed(r.names(), r.id().substring(7)));
            event("remove", r.id(), r.id().substring(7)); // podman's: the id as the name too
        }
        return new ImageRemoveReport(out);
    }

    private static boolean isId(String arg, ImageRecord r) {
        String bare = arg.startsWith("sha256:") ? arg.substring(7) : arg;
        return bare.matches("[0-9a-f]{3,64}") && r.id().substring(7).startsWith(bare);
    }

    /** The name of {@code r} that {@code arg} designates, or null when arg is its id. */
    private static String matchedName(String arg, ImageRecord r) {
        if (r.names().contains(arg)) {
            return arg;
        }
        if (isId(arg, r)) {
            return null;
        }
        List<String> forms = new ArrayList<>(List.of(arg));
        if (RegistriesConf.isShortName(arg)) {
            forms.add("localhost/" + arg);
        }
        for (String f : forms) {
            try {
                String q = ImageReference.parse(f).name();
                if (r.names().contains(q)) {
                    return q;
                }
            } catch (ImageException e) {
                // not a reference: try the next form
            }
        }
        return r.names().isEmpty() ? null : r.names().get(0);
    }

    /** Removes the layers of a removed image that no remaining image uses. */
    private void collectLayers(ImageRecord removed) {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (ImageRecord other : store.images().list()) {
            used.addAll(other.layers());
        }
        List<String> layers = new ArrayList<>(removed.layers());
        java.util.Collections.reverse(layers); // top first: a child never outlives its parent on disk
        for (String l : layers) {
            if (!used.contains(l)) {
                store.layers().remove(l);
            }
        }
    }

    /** `jpod image prune`: dangling images (no name), or with all every image no container uses. Returns the ids removed. */
    public List<String> prune(boolean all) {
        java.util.Set<String> inUse = new java.util.HashSet<>();
        for (io.jpod.storage.ContainerRecord c : store.containers().list()) {
            inUse.add(c.imageId());
        }
        List<String> out = new ArrayList<>();
        for (ImageRecord r : store.images().list()) {
            if (inUse.contains(r.id()) || (!all && !r.names().isEmpty())) {
                continue;
            }
            store.images().remove(r.id());
            collectLayers(r);
            out.add(r.id().substring(7));
        }
        return out;
    }

    /** podman's `image inspect` JSON for the common fields. */
    public java.util.Map<String, Object> inspect(String image) {
        ImageRecord r = find(image);
        com.fasterxml.jackson.databind.JsonNode config = readTree(store.images().config(r.id()));
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("Id", r.id().substring(7));
        m.put("Digest", r.manifestDigest());
        m.put("RepoTags", r.names());
        m.put("RepoDigests", r.digests());
        m.put("Parent", "");
        m.put("Comment", config.path("comment").asText(""));
        m.put("Created", config.path("created").isMissingNode() ? null : config.path("created").asText());
        m.put("Config", config.path("config"));
        m.put("Version", config.path("docker_version").asText(""));
        m.put("Author", config.path("author").asText(""));
        m.put("Architecture", config.path("architecture").asText(""));
        m.put("Os", config.path("os").asText(""));
        if (config.has("variant")) {
            m.put("Variant", config.path("variant").asText());
        }
        m.put("Size", r.size());
        m.put("VirtualSize", r.size());
        m.put("Labels", config.path("config").path("Labels").isObject() ? config.path("config").path("Labels") : null);
        com.fasterxml.jackson.databind.JsonNode manifest = readTree(store.images().manifest(r.id()));
        m.put("ManifestType", manifest.path("mediaType").asText(""));
        if (manifest.path("annotations").isObject()) {
            m.put("Annotations", manifest.path("annotations"));
        }
        java.util.Map<String, Object> rootfs = new java.util.LinkedHashMap<>();
        rootfs.put("Type", config.path("rootfs").path("type").asText("layers"));
        rootfs.put("Layers", config.path("rootfs").path("diff_ids"));
        m.put("RootFS", rootfs);
        m.put("History", config.path("history"));
        m.put("NamesHistory", r.names());
        return m;
    }

    /** What `images` takes from an image config: its labels, and when it was made (null: not said, or unreadable). */
    private record ConfigSummary(java.util.Map<String, String> labels, java.time.Instant created) {
    }

    /**
     * Config summaries by image id, reused while the config's bytes are the same (see ContentCache): a warm `images`
     * parsed every config again. 1 MiB of configs at most.
     */
    private static final io.jpod.storage.ContentCache<ConfigSummary> CONFIG_SUMMARIES = new io.jpod.storage.ContentCache<>(1 << 20);

    /** The image as `images` lists it: its record, and its config's labels and created (the config read once). */
    public ImageSummaryReport summary(ImageRecord r) {
        ConfigSummary c = CONFIG_SUMMARIES.get(r.id(), store.images().config(r.id()), ImageCommands::configSummary);
        return new ImageSummaryReport(r.id(), r.names(), r.manifestDigest(), r.digests(), r.namesHistory(), r.size(), r.created(),
                c.created() != null ? c.created() : r.created(), c.labels());
    }

    private static ConfigSummary configSummary(byte[] json) {
        com.fasterxml.jackson.databind.JsonNode config = readTree(json);
        java.util.Map<String, String> labels = new java.util.TreeMap<>();
        config.path("config").path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return new ConfigSummary(java.util.Collections.unmodifiableMap(labels), created(config));
    }

    /** When the image was made: its config's {@code created} (podman's Created); null when it has none. */
    private static java.time.Instant created(com.fasterxml.jackson.databind.JsonNode config) {
        String c = config.path("created").asText("");
        try {
            return c.isEmpty() ? null : java.time.OffsetDateTime.parse(c).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** `jpod history`: newest first, podman's columns (ID, CREATED, CREATED BY, SIZE, COMMENT). */
    public ImageHistoryReport history(String image) {
        ImageRecord r = find(image);
        com.fasterxml.jackson.databind.JsonNode config = readTree(store.images().config(r.id()));
        List<ImageHistoryReport.Entry> rows = new ArrayList<>();
        int layer = 0;
        List<String> layers = r.layers();
        for (com.fasterxml.jackson.databind.JsonNode h : config.path("history")) {
            boolean empty = h.path("empty_layer").asBoolean(false);
            long size = 0;
            if (!empty && layer < layers.size()) {
                size = store.layers().info(layers.get(layer)).map(i -> i.size()).orElse(0L);
                layer++;
            }
            rows.add(new ImageHistoryReport.Entry(h.path("created").asText(""), h.path("created_by").asText(""), size,
                    h.path("comment").asText("")));
        }
        java.util.Collections.reverse(rows);
        return new ImageHistoryReport(r.id(), r.names(), rows);
    }

    /** Trees only: one mapper for all (a new one per read cost more than the read, its caches empty each time). */
    private static final com.fasterxml.jackson.databind.ObjectMapper TREES = new com.fasterxml.jackson.databind.ObjectMapper();

    private static com.fasterxml.jackson.databind.JsonNode readTree(byte[] json) {
        try {
            return TREES.readTree(json);
        } catch (java.io.IOException e) {
            throw new EngineException("the stored image metadata is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "); remove the image and pull it again");
        }
    }
}
