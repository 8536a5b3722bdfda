package io.jpod.engine.volume;

import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.HostTar;
import io.jpod.engine.NoSuchVolumeException;
import io.jpod.engine.VolumeInUseException;
import io.jpod.engine.container.MountSpecs;
import io.jpod.storage.ContainerState;
import io.jpod.storage.StorageException;
import io.jpod.storage.Store;
import io.jpod.storage.VolumeRecord;
import io.jpod.storage.VolumeStore;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** `jpod volume …`: named volumes in the store, in use while a container that mounted one still exists. */
public final class Volumes {
    private final Store store;
    private final VolumeStore volumes;

    public Volumes(Store store, java.nio.file.Path dir) {
        this.store = store;
        this.volumes = VolumeStore.at(dir);
    }

    public VolumeRecord create(String name, Map<String, String> labels) {
        return create(name, labels, Map.of());
    }

    /**
     * `volume create -o`: the local driver's options as podman takes them rootless: type=bind with device=DIR (the
     * volume is that directory), type=tmpfs (a new tmpfs at each mount; o= its options), o= mount options.
     */
    public VolumeRecord create(String name, Map<String, String> labels, Map<String, String> options) {
        for (Map.Entry<String, String> o : options.entrySet()) {
            switch (o.getKey()) {
                case "type" -> {
                    if (!o.getValue().equals("bind") && !o.getValue().equals("tmpfs")) {
                        throw new EngineException("invalid volume option type for driver 'local': jpod supports type=bind and type=tmpfs, not "
                                + o.getValue());
                    }
                }
                case "device" -> {
                    if (!"tmpfs".equals(options.get("type")) && !java.nio.file.Files.isDirectory(Path.of(o.getValue()))) {
                        throw new EngineException("invalid volume option device for driver 'local': stat " + o.getValue()
                                + ": no such file or directory");
                    }
                }
                case "o" -> {
                }
                default -> throw new EngineException("invalid volume option " + o.getKey() + " for driver 'local': use type, device or o");
            }
        }
        if ("bind".equals(options.get("type")) && options.get("device") == null) {
            throw new EngineException("invalid volume options for driver 'local': type=bind needs device=DIRECTORY");
        }
        String n = name != null ? name : HexFormat.of().formatHex(random32());
        try {
            return volumes.tryCreate(n, labels, options).orElseThrow(() -> new EngineException("volume with name " + n
                    + " already exists: pick another name or remove it (jpod volume rm " + n + ")"));
        } catch (StorageException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    private static byte[] random32() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    public List<VolumeRecord> list() {
        return volumes.list();
    }

    public Optional<VolumeRecord> get(String name) {
        return volumes.get(name);
    }

    public VolumeRecord require(String name) {
        return get(name).orElseThrow(() -> new NoSuchVolumeException(name));
    }

    /** podman's NeedsCopyUp: no copy-up has filled the volume yet. */
    public boolean needsCopyUp(String name) {
        return !volumes.marked(name, io.jpod.storage.VolumeStore.COPIED_UP);
    }

    /** podman's NeedsChown: no container has mounted the volume yet. */
    public boolean needsChown(String name) {
        return !volumes.marked(name, io.jpod.storage.VolumeStore.FIRST_USED);
    }

    public Path mountpoint(String name) {
        return volumes.dataDir(name);
    }

    /** Existing containers that mounted the volume (markers of removed containers do not count). */
    public List<String> usedBy(String name) {
        List<String> ids = new ArrayList<>();
        for (String id : volumes.users(name)) {
            if (store.containers().get(id).isPresent()) {
                ids.add(id);
            } else {
                volumes.removeUser(name, id);
            }
        }
        return ids;
    }

    /**
     * Removes a volume no container uses ({@link VolumeInUseException} otherwise; `volume rm --force` removes those
     * containers first, see Engine.removeVolume). With force a stopped container's marker does not hold it.
     */
    public void remove(String name, boolean force) {
        require(name);
        List<String> users = usedBy(name);
        boolean running = users.stream().anyMatch(id -> store.containers().get(id).map(c -> c.state() == ContainerState.RUNNING).orElse(false));
        if (!users.isEmpty() && (running || !force)) {
            throw new VolumeInUseException(name, users);
        }
        try {
            volumes.remove(name);
        } catch (StorageException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    /** `volume export`: the volume's contents as a tar (names relative to the volume, symlinks not followed). */
    public void export(String name, java.io.OutputStream out) {
        require(name);
        try {
            HostTar.write(volumes.dataDir(name), ".", out, null);
            out.flush();
        } catch (java.io.IOException e) {
            throw new EngineException("cannot export volume " + name + ": " + e.getMessage(), e);
        }
    }

    /** `volume import`: a tar (plain or compressed) extracted into the volume, over what it holds. */
    public void importTar(String name, java.io.InputStream in) {
        require(name);
        java.io.InputStream tar;
        try {
            tar = HostTar.openUserTar(in);
        } catch (java.io.IOException e) {
            throw new EngineException("cannot import into volume " + name + ": the input is not a (compressed) tar archive");
        }
        try {
            HostTar.extractInto(tar, volumes.dataDir(name));
        } catch (java.io.IOException e) {
            throw new EngineException("cannot import into volume " + name + ": " + e.getMessage(), e);
        }
    }

    /** Removes every volume no container uses; returns their names. */
    public List<String> prune() {
        return prune(v -> true);
    }

    /** The volumes no container uses that {@code filter} takes: what {@link #prune(java.util.function.Predicate)} removes. */
    public List<String> unused(java.util.function.Predicate<VolumeRecord> filter) {
        List<String> names = new ArrayList<>();
        for (VolumeRecord v : volumes.list()) {
            if (filter.test(v) && usedBy(v.name()).isEmpty()) {
                names.add(v.name());
            }
        }
        return names;
    }

    /** Removes the volumes no container uses that {@code filter} takes; returns their names. */
    public List<String> prune(java.util.function.Predicate<VolumeRecord> filter) {
        List<String> removed = new ArrayList<>();
        for (VolumeRecord v : volumes.list()) {
            if (filter.test(v) && usedBy(v.name()).isEmpty()) {
                volumes.remove(v.name());
                removed.add(v.name());
            }
        }
        return removed;
    }

    /** After a --rm container: its markers go, and so do the anonymous volumes it created (as podman's --rm). */
    /** The file in a container's storage dir naming the anonymous volumes it created, one per line. */
    static final String ANONYMOUS = "anonymous-volumes";

    /** Remembers the container's anonymous volumes, so whoever removes it later (the exit command for --rm) can. */
    public static void recordAnonymous(java.nio.file.Path containerDir, MountSpecs.Prepared used) throws java.io.IOException {
        if (used != null && !used.anonymousVolumes().isEmpty()) {
            java.nio.file.Files.write(containerDir.resolve(ANONYMOUS), used.anonymousVolumes());
        }
    }

    /** The names of the anonymous volumes recorded for a container, in the order its -v specs made them. */
    public static List<String> anonymousNames(java.nio.file.Path containerDir) {
        java.nio.file.Path file = containerDir.resolve(ANONYMOUS);
        try {
            return java.nio.file.Files.isRegularFile(file)
                    ? java.nio.file.Files.readAllLines(file).stream().map(String::strip).filter(v -> !v.isEmpty()).toList() : List.of();
        } catch (java.io.IOException e) {
            throw new io.jpod.engine.EngineException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Removes the anonymous volumes recorded for a container that is being removed with --rm. */
    public static void releaseAnonymous(VolumeStore volumes, java.nio.file.Path containerDir) {
        java.nio.file.Path file = containerDir.resolve(ANONYMOUS);
        if (!java.nio.file.Files.isRegularFile(file)) {
            return;
        }
        try {
            for (String v : java.nio.file.Files.readAllLines(file)) {
                if (!v.isBlank()) {
                    try {
                        volumes.remove(v.strip());
                    } catch (StorageException e) {
                        // best effort, as in release()
                    }
                }
            }
        } catch (java.io.IOException e) {
            // unreadable: the volumes stay for `volume prune`
        }
    }

    public static void release(VolumeStore volumes, MountSpecs.Prepared used, String containerId) {
        if (used == null) {
            return;
        }
        for (String v : used.volumes()) {
            volumes.removeUser(v, containerId);
        }
        for (String v : used.anonymousVolumes()) {
            try {
                volumes.remove(v);
            } catch (StorageException e) {
                // best effort: a leftover anonymous volume shows in `volume ls` and goes with `volume prune`
            }
        }
    }
}
