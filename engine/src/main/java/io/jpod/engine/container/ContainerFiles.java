package io.jpod.engine.container;


import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchContainerException;
import io.jpod.storage.ContainerState;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.image.ImageReference;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.DiffWalker;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.LayerExporter;
import io.jpod.storage.Mounts;
import io.jpod.storage.RootfsDriver;
import io.jpod.storage.Store;
import io.jpod.storage.StoreMaintenance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A container's files from outside: `jpod mount`/`umount` (the merged rootfs, left mounted in jpod's mount namespace,
 * so `jpod unshare` sees it), `jpod diff`, `jpod export` and `jpod commit`.
 */
public final class ContainerFiles {
    private final Store store;
    private final RootfsDriver driver;

    public ContainerFiles(Store store, RootfsDriver driver) {
        this.store = store;
        this.driver = driver;
    }

    private ContainerRecord container(String idOrName) {
        return store.containers().get(idOrName)
                .orElseThrow(() -> new NoSuchContainerException(idOrName));
    }

    private List<Path> lowers(ContainerRecord c) {
        ImageRecord image = store.images().get(c.imageId()).orElseThrow(() -> new EngineException("the image " + c.imageId()
                + " of container " + c.name() + " is no longer in storage; the container cannot be used, remove it"));
        List<Path> lowers = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            lowers.add(store.layers().diffDir(image.layers().get(i)));
        }
        return lowers;
    }

    /** Mounts the container's rootfs (if it is not already) and returns the merged path. */
    public Path mount(String idOrName) {
        ContainerRecord c = container(idOrName);
        Path merged = store.containers().mergedDir(c.id());
        if (!Mounts.isMountPoint(merged)) {
            driver.mount(lowers(c), store.containers().upperDir(c.id()), store.containers().workDir(c.id()), merged);
        }
        return merged;
    }

    /** Unmounts the rootfs of a container that is not running; not mounted is fine. */
    public String umount(String idOrName) {
        ContainerRecord c = container(idOrName);
        if (c.state() == ContainerState.RUNNING) {
            throw new EngineException("container " + c.name() + " is running: its rootfs stays mounted until it exits");
        }
        driver.unmount(store.containers().mergedDir(c.id()));
        return c.id();
    }

    /** The container's changes against its image, as `podman diff` lists them. */
    /** What `run` itself creates as mount points; podman's diff leaves them out, and so their parents when nothing else changed there. */
    private static final java.util.Set<String> RUN_ARTIFACTS = java.util.Set.of("/etc/hosts", "/etc/resolv.conf", "/etc/hostname",
            "/run/.containerenv", "/proc", "/dev", "/sys");

    static List<DiffWalker.Change> withoutRunArtifacts(List<DiffWalker.Change> changes) {
        List<DiffWalker.Change> kept = changes.stream()
                .filter(ch -> !(ch.kind() == 'A' && RUN_ARTIFACTS.contains(ch.path()))).toList();
        return kept.stream().filter(ch -> !((ch.path().equals("/etc") || ch.path().equals("/run")) && ch.kind() != 'D'
                && kept.stream().noneMatch(o -> o.path().startsWith(ch.path() + "/")))).toList();
    }

    public List<DiffWalker.Change> diff(String idOrName) {
        ContainerRecord c = container(idOrName);
        try {
            if (isVfs()) {
                return withoutRunArtifacts(DiffWalker.compare(vfsRootfs(c), lowers(c)));
            }
            return withoutRunArtifacts(DiffWalker.changes(upperOf(c), lowers(c)));
        } catch (IOException e) {
            throw new EngineException("cannot read the changes of container " + c.name() + ": " + e.getMessage(), e);
        }
    }

    /** The container's whole rootfs as a tar. Mounts it for the time of the export when it is not mounted. */
    public void export(String idOrName, OutputStream out) {
        ContainerRecord c = container(idOrName);
        Path merged = store.containers().mergedDir(c.id());
        boolean mountedHere = false;
        if (!Mounts.isMountPoint(merged) && !"vfs".equals(driver.name())) {
            driver.mount(lowers(c), store.containers().upperDir(c.id()), store.containers().workDir(c.id()), merged);
            mountedHere = true;
        } else if ("vfs".equals(driver.name())) {
            driver.mount(lowers(c), store.containers().upperDir(c.id()), store.containers().workDir(c.id()), merged);
        }
        try {
            LayerExporter.exportTree(merged, out);
            out.flush();
        } catch (IOException e) {
            throw new EngineException("cannot export container " + c.name() + ": " + e.getMessage(), e);
        } finally {
            if (mountedHere) {
                driver.unmount(merged);
            }
        }
    }

    /**
     * Stores the container's changes as a new image: its upper dir becomes a layer on top of the image's (whiteouts as
     * {@code .wh.} entries), the config is the image's with the new diff_id and a history entry. A name without a
     * registry gets {@code localhost/}, and {@code :latest} when it has no tag, as podman does. Returns the new image's
     * id ({@code sha256:…}): the front end prints it and reads no image record.
     */
    public String commit(String idOrName, String name, String author, String message) {
        ContainerRecord c = container(idOrName);
        ImageRecord parent = store.images().get(c.imageId()).orElseThrow(() -> new EngineException("the image " + c.imageId()
                + " of container " + c.name() + " is no longer in storage; cannot commit"));
        String fullName = name == null ? null : normaliseName(name);
        String parentTop = parent.layers().isEmpty() ? null : parent.layers().get(parent.layers().size() - 1);
        StoreMaintenance.CommittedLayer layer;
        if (isVfs()) {
            try {
                Path rootfs = vfsRootfs(c);
                layer = StoreMaintenance.commitChanges(store, rootfs, DiffWalker.compare(rootfs, lowers(c)), parentTop);
            } catch (IOException e) {
                throw new EngineException("cannot compare container " + c.name() + " with its image: " + e.getMessage(), e);
            }
        } else {
            layer = StoreMaintenance.commitUpper(store, upperOf(c), parentTop);
        }
        ObjectMapper json = new ObjectMapper();
        try {
            String now = Instant.now().toString();
            ObjectNode config = (ObjectNode) json.readTree(store.images().config(parent.id()));
            config.put("created", now);
            CommittedProcess.apply(config, c);
            if (author != null) {
                config.put("author", author);
            }
            ObjectNode rootfs = config.with("rootfs");
            rootfs.put("type", "layers");
            ArrayNode diffIds = rootfs.withArray("diff_ids");
            diffIds.add(layer.diffId());
            ObjectNode history = config.withArray("history").addObject();
            history.put("created", now);
            history.put("created_by", "jpod commit " + c.name());
            if (author != null) {
                history.put("author", author);
            }
            if (message != null) {
                history.put("comment", message);
            }
            byte[] configBytes = json.writeValueAsBytes(config);
            String id = sha256(configBytes);

            ObjectNode manifest = json.createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
            ObjectNode cd = manifest.putObject("config");
            cd.put("mediaType", "application/vnd.oci.image.config.v1+json");
            cd.put("digest", id);
            cd.put("size", configBytes.length);
            ArrayNode layers = manifest.putArray("layers");
            var parentLayers = json.readTree(store.images().manifest(parent.id())).path("layers");
            if (parentLayers.isArray()) {
                parentLayers.forEach(l -> layers.add(l.deepCopy()));
            }
            ObjectNode ld = layers.addObject();
            ld.put("mediaType", "application/vnd.oci.image.layer.v1.tar");
            ld.put("digest", layer.diffId());
            ld.put("size", layer.size());
            byte[] manifestBytes = json.writeValueAsBytes(manifest);
            List<String> chain = new ArrayList<>(parent.layers());
            chain.add(layer.chainId());
            return store.images().put(id, manifestBytes, configBytes, sha256(manifestBytes), chain, parent.size() + layer.size(),
                    fullName, null).id();
        } catch (IOException | ClassCastException e) {
            throw new EngineException("cannot write the config of the committed image: " + e.getMessage(), e);
        }
    }

    /** "foo" → "localhost/foo:latest", "reg:5000/x/y" → "reg:5000/x/y:latest". */
    static String normaliseName(String name) {
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        boolean hasRegistry = slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        return ImageReference.parse(hasRegistry ? name : "localhost/" + name).name();
    }

    private boolean isVfs() {
        return "vfs".equals(driver.name());
    }

    /** vfs keeps a container's changes in its full rootfs copy, made on first use (so it is made here if need be). */
    private Path vfsRootfs(ContainerRecord c) {
        Path merged = store.containers().mergedDir(c.id());
        driver.mount(lowers(c), store.containers().upperDir(c.id()), store.containers().workDir(c.id()), merged);
        return merged;
    }

    /** The overlay upper dir, which holds the container's changes. */
    private Path upperOf(ContainerRecord c) {
        Path upper = store.containers().upperDir(c.id());
        if (!Files.isDirectory(upper, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException("container " + c.name() + " has no upper directory; its storage is damaged, remove it");
        }
        return upper;
    }

    private static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
