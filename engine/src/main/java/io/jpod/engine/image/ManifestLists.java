package io.jpod.engine.image;

import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchImageException;

import io.jpod.engine.image.ImageCommands;
import io.jpod.engine.image.ImageResolver;
import io.jpod.engine.container.Lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Local manifest lists (`jpod manifest create|add|inspect|rm`): a named Docker manifest list whose entries are
 * local images' manifests, kept in {@code <root>/manifest-lists/<id>.json} apart from the images (a list has no
 * config and no layers, so `images` and the image store never see one). `rmi NAME` removes a list of that name as
 * podman's does. Pushing a list is not supported.
 */
public final class ManifestLists {
    static final String MEDIA_TYPE = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One stored list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stored(String id, String name, Manifest manifest) {
    }

    /** podman's `manifest inspect` shape (a Docker manifest list). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Manifest(int schemaVersion, String mediaType, List<Entry> manifests) {
    }

    public record Entry(String mediaType, long size, String digest, Platform platform) {
    }

    public record Platform(String architecture, String os) {
    }

    private final Store store;
    private final Path dir;

  public   ManifestLists(Store store) {
        this.store = store;
        this.dir = store.root().resolve("manifest-lists");
    }

    /** Creates the list NAME (qualified as `tag` qualifies names) with the given local images; returns its id. */
    public String create(String name, List<String> images) {
        String qualified = ImageCommands.qualify(name);
        if (find(qualified).isPresent() || store.images().get(qualified).isPresent()) {
            throw new EngineException("image name \"" + qualified + "\" is already associated with image \""
                    + find(qualified).map(Stored::id).orElseGet(() -> store.images().get(qualified).get().id().replaceFirst("^sha256:", ""))
                    + "\": that name is already in use");
        }
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        List<Entry> entries = new ArrayList<>();
        for (String image : images) {
            entries.add(entry(image));
        }
        Stored s = new Stored(HexFormat.of().formatHex(b), qualified, new Manifest(2, MEDIA_TYPE, entries));
        save(s);
        return s.id();
    }

    /** Adds a local image's manifest to the list; returns the list's id. */
    public String add(String list, String image) {
        Stored s = require(list);
        List<Entry> entries = new ArrayList<>(s.manifest().manifests());
        Entry e = entry(image);
        entries.removeIf(x -> x.digest().equals(e.digest()));
        entries.add(e);
        save(new Stored(s.id(), s.name(), new Manifest(2, MEDIA_TYPE, entries)));
        return s.id();
    }

    /** Removes the entry with this manifest digest from the list; returns the list's id. */
    public String removeEntry(String list, String digest) {
        Stored s = require(list);
        List<Entry> entries = new ArrayList<>(s.manifest().manifests());
        if (!entries.removeIf(x -> x.digest().equals(digest))) {
            throw new EngineException("no instance matching digest " + digest + " found in manifest list " + s.name());
        }
        save(new Stored(s.id(), s.name(), new Manifest(2, MEDIA_TYPE, entries)));
        return s.id();
    }

    /** The list as podman's `manifest inspect` prints it. */
    public String inspect(String list) {
        try {
            return JSON.writeValueAsString(require(list).manifest());
        } catch (IOException e) {
            throw new EngineException("cannot write manifest list " + list + ": " + e.getMessage(), e);
        }
    }

    /** True when a list of this name or id exists. */
    public boolean exists(String list) {
        return find(list).isPresent();
    }

    /** Removes the list; rmi's lines ("Untagged: NAME", "Deleted: ID"). */
    public List<String> remove(String list) {
        Stored s = require(list);
        try {
            Files.deleteIfExists(dir.resolve(s.id() + ".json"));
        } catch (IOException e) {
            throw new EngineException("cannot remove manifest list " + s.name() + ": " + e.getMessage(), e);
        }
        return List.of("Untagged: " + s.name(), "Deleted: " + s.id());
    }

    /** {@link #remove} as `rmi` reports it (a list of that name goes as an image would). */
    public ImageRemoveReport.Removed removeReport(String list) {
        String name = require(list).name();
        List<String> lines = remove(list);
        return new ImageRemoveReport.Removed(List.of(name), lines.get(1).substring("Deleted: ".length()));
    }

    private Stored require(String list) {
        return find(list).orElseThrow(() -> new NoSuchImageException(list));
    }

    /** By name (as given, or qualified as `tag` does) or by id (or a prefix of it, 12 characters at least). */
    Optional<Stored> find(String nameOrId) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        String qualified = ImageCommands.qualify(nameOrId);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                Stored s = JSON.readValue(f.toFile(), Stored.class);
                if (s.name().equals(nameOrId) || s.name().equals(qualified)
                        || (nameOrId.length() >= 12 && s.id().startsWith(nameOrId.replaceFirst("^sha256:", "")))) {
                    return Optional.of(s);
                }
            }
        } catch (IOException e) {
            throw new EngineException("cannot read the manifest lists in " + dir + ": " + e.getMessage(), e);
        }
        return Optional.empty();
    }

    private Entry entry(String image) {
        ImageRecord r = new ImageResolver(store, java.util.Map.of()).local(image).orElseThrow(() -> new NoSuchImageException(image));
        byte[] manifest = store.images().manifest(r.id());
        if (manifest == null || r.manifestDigest() == null) {
            throw new EngineException("image " + image + " has no stored manifest (pulled by an older jpod): pull it again, then add it");
        }
        try {
            var node = JSON.readTree(manifest);
            String mediaType = node.has("mediaType") ? node.get("mediaType").asText() : "application/vnd.oci.image.manifest.v1+json";
            var config = JSON.readTree(store.images().config(r.id()));
            return new Entry(mediaType, manifest.length, r.manifestDigest(),
                    new Platform(config.path("architecture").asText("amd64"), config.path("os").asText("linux")));
        } catch (IOException e) {
            throw new EngineException("cannot read the manifest of image " + image + ": " + e.getMessage(), e);
        }
    }

    private void save(Stored s) {
        try {
            Files.createDirectories(dir);
            Lifecycle.writeAtomic(dir.resolve(s.id() + ".json"), JSON.writeValueAsBytes(s));
        } catch (IOException e) {
            throw new EngineException("cannot store manifest list " + s.name() + ": " + e.getMessage(), e);
        }
    }
}
