package io.jpod.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Containers: {@code containers/<id>/container.json} plus {@code upper/ work/ merged/}. A container directory is
 * assembled in staging and renamed into place, so it exists complete or not at all. Names are unique (checked under
 * the store lock).
 */
public final class ContainerStore {
    private final Store store;
    private final RecordDirs<ContainerRecord> records;

    ContainerStore(Store store) {
        this.store = store;
        this.records = new RecordDirs<>(store, "container", ContainerRecord.class, ContainerRecord::id, ContainerRecord::name,
                ContainerRecord::created, r -> new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(),
                        r.command() == null ? List.of() : List.copyOf(r.command()), r.created(), r.state(), r.exitCode(),
                        r.lifecycle() == null ? null : r.lifecycle().immutable()),
                false);
    }

    /** Creates the record and directories of a new container in state "created". A name in use → StorageException. */
    public ContainerRecord create(String id, String name, String imageId, String imageName, List<String> command) {
        records.checkName(name);
        return create(id, null, name, imageId, imageName, command);
    }

    /**
     * As {@link #create}, with a name chosen by {@code chooseName} from the names in use, under the store lock: two
     * processes creating containers at once cannot pick the same generated name.
     */
    public ContainerRecord createWithGeneratedName(String id, Function<Set<String>, String> chooseName, String imageId,
                                                   String imageName, List<String> command) {
        return create(id, chooseName, null, imageId, imageName, command);
    }

    private ContainerRecord create(String id, Function<Set<String>, String> chooseName, String givenName, String imageId,
                                   String imageName, List<String> command) {
        Ids.containerId(id);
        String image = "sha256:" + Ids.imageHex(imageId);
        List<String> cmd = copy(command);
        // Before the lock (many containers at once queue on it): a name among those in use now, and the record's
        // directory staged with the record fsynced. Under the lock the name is checked again (another process may
        // have taken it meanwhile: a generated one is chosen again, a given one is refused) and the directory renamed.
        String first = givenName != null ? givenName : chooseName.apply(Set.copyOf(namesInUse()));
        records.checkName(first);
        ContainerRecord staged = new ContainerRecord(id, first, image, imageName, cmd, Instant.now(), ContainerState.CREATED, null);
        String what = "container " + id.substring(0, 12);
        Path stagedDir = records.stage(staged, List.of("upper", "work", "merged"), what);
        try {
            return store.locked(() -> {
                Path dir = dir(id);
                if (Files.exists(dir, Fs.NOFOLLOW)) {
                    throw new StorageException("a container with id " + id.substring(0, 12) + " already exists; use a new id");
                }
                ContainerRecord rec = staged;
                if (chooseName == null) {
                    checkNameFree(first, id);
                } else {
                    Set<String> taken = namesInUse();
                    if (taken.contains(first)) {
                        String name = chooseName.apply(Set.copyOf(taken));
                        records.checkName(name);
                        if (taken.contains(name)) {
                            throw new IllegalStateException("the name chooser returned a name in use: " + name);
                        }
                        rec = new ContainerRecord(id, name, image, imageName, cmd, staged.created(), ContainerState.CREATED, null);
                        try {
                            records.write(stagedDir, rec);
                        } catch (IOException e) {
                            throw new StorageException("cannot create " + what + ": " + Fs.describe(e) + "; check free space");
                        }
                    }
                }
                // under the lock ImageStore.remove takes too: an image never disappears under a container being created
                if (!Files.isRegularFile(store.root().resolve("images").resolve(image.substring(7)).resolve("image.json"), Fs.NOFOLLOW)) {
                    throw new StorageException("image " + image.substring(7, 19) + " is no longer in storage (removed meanwhile?); pull it again");
                }
                records.installStaged(stagedDir, what);
                return rec;
            });
        } finally {
            records.discardStaged(stagedDir);
        }
    }

    private Set<String> namesInUse() {
        Set<String> taken = new HashSet<>();
        records.scan().forEach(r -> taken.add(r.name()));
        return taken;
    }

    /** {@code <root>/containers/<id>/}. */
    public Path dir(String id) {
        return records.dir(id);
    }

    public Path upperDir(String id) {
        return dir(id).resolve("upper");
    }

    public Path workDir(String id) {
        return dir(id).resolve("work");
    }

    public Path mergedDir(String id) {
        return dir(id).resolve("merged");
    }

    /** By full id, exact name, or unique id prefix (in that order). An ambiguous prefix → StorageException. */
    public Optional<ContainerRecord> get(String idOrName) {
        return records.find(idOrName);
    }

    /** All containers, newest first. */
    public List<ContainerRecord> list() {
        return records.newestFirst();
    }

    /** Replaces the stored record (state, exit code, name...) atomically; the container must exist. */
    public ContainerRecord update(ContainerRecord record) {
        Ids.containerId(record.id());
        records.checkName(record.name());
        ContainerRecord rec = new ContainerRecord(record.id(), record.name(), record.imageId(), record.imageName(),
                copy(record.command()), record.created(), record.state(), record.exitCode(), record.lifecycle());
        // the record's bytes are written and fsynced before the lock (many containers at once queue on it): under
        // the lock only the checks and the rename
        Path dir = dir(rec.id());
        Path tmp;
        try {
            tmp = records.prepare(rec);
        } catch (IOException e) {
            throw new StorageException("cannot update container " + rec.id().substring(0, 12) + ": " + Fs.describe(e) + "; check free space");
        }
        try {
            store.locked(() -> {
                ContainerRecord old = records.read(dir);
                if (old == null) {
                    throw new StorageException("container " + rec.id().substring(0, 12) + " does not exist (removed meanwhile?)");
                }
                if (!old.name().equals(rec.name())) {
                    checkNameFree(rec.name(), rec.id());
                }
                try {
                    records.publish(tmp, dir);
                } catch (IOException e) {
                    throw new StorageException("cannot update container " + rec.id().substring(0, 12) + ": " + Fs.describe(e) + "; check free space");
                }
                return null;
            });
        } finally {
            records.discardPrepared(tmp); // its staging dir; the file too if not published (refused, or removed meanwhile)
        }
        Fs.fsyncDir(dir);
        return rec;
    }

    /**
     * Deletes the container's record and directories. Refuses while its rootfs is still mounted (deleting through a
     * mount would reach into the layers). A missing container is not an error.
     */
    public void remove(String id) {
        records.remove(id, dir -> {
            if (Mounts.isMountPoint(dir.resolve("merged"))) {
                throw new StorageException("the rootfs of container " + id.substring(0, 12) + " is still mounted at "
                        + dir.resolve("merged") + "; stop the container (or unmount it) first");
            }
        });
    }

    // ---- internals

    private static List<String> copy(List<String> command) {
        if (command == null) {
            return List.of();
        }
        for (String s : command) {
            if (s == null) {
                throw new IllegalArgumentException("command contains null");
            }
        }
        return List.copyOf(command);
    }

    /** Call under the lock. */
    private void checkNameFree(String name, String selfId) {
        records.named(name, selfId).ifPresent(r -> {
            throw new StorageException("the container name " + Fs.quote(name) + " is already in use by "
                    + r.id().substring(0, 12) + "; choose another name with --name or remove that container");
        });
    }
}
