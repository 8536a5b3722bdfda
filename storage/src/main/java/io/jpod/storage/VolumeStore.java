package io.jpod.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Named volumes under the storage root, podman's layout: {@code volumes/<name>/_data} holds the data,
 * {@code volumes/<name>/volume.json} the record, {@code volumes/<name>/users/<container-id>} one empty marker per
 * container that mounted it (a volume is in use while a marker names a container that still exists).
 * Creation is a mkdir, so two commands creating the same name race safely.
 */
public final class VolumeStore {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private final Path dir;

    public VolumeStore(Path storageRoot) {
        this(storageRoot.resolve("volumes"), true);
    }

    private VolumeStore(Path dir, boolean unused) {
        this.dir = dir;
    }

    /** The volumes in {@code dir} itself (podman's --volumepath). */
    public static VolumeStore at(Path dir) {
        return new VolumeStore(dir, true);
    }

    public static boolean isValidName(String name) {
        return name != null && name.length() <= 255 && NAME.matcher(name).matches();
    }

    private static void checkName(String name) {
        if (!isValidName(name)) {
            throw new StorageException("invalid volume name \"" + name + "\": use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
    }

    public Path dataDir(String name) {
        checkName(name);
        return dir.resolve(name).resolve("_data");
    }

    /** Creates the volume; a clash is a StorageException. */
    public VolumeRecord create(String name, Map<String, String> labels) {
        return tryCreate(name, labels).orElseThrow(() ->
                new StorageException("volume with name " + name + " already exists: pick another name or remove it (jpod volume rm " + name + ")"));
    }

    /** Creates the volume unless it exists; empty if another one had the name. */
    public Optional<VolumeRecord> tryCreate(String name, Map<String, String> labels) {
        return tryCreate(name, labels, Map.of());
    }

    /** As {@link #tryCreate(String, Map)}, with the local driver's options (volume create -o: type, device, o). */
    public Optional<VolumeRecord> tryCreate(String name, Map<String, String> labels, Map<String, String> options) {
        checkName(name);
        Path v = dir.resolve(name);
        try {
            Files.createDirectories(dir);
            try {
                Files.createDirectory(v);
            } catch (FileAlreadyExistsException e) {
                return Optional.empty();
            }
            Files.createDirectories(v.resolve("_data"));
            Files.createDirectories(v.resolve("users"));
            VolumeRecord r = new VolumeRecord(name, "local", Instant.now(), labels, options);
            Fs.writeAtomic(v.resolve("volume.json"), Json.bytes(r));
            return Optional.of(r);
        } catch (IOException e) {
            throw new StorageException("cannot create volume " + name + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Optional<VolumeRecord> get(String name) {
        if (!isValidName(name)) {
            return Optional.empty();
        }
        Path json = dir.resolve(name).resolve("volume.json");
        if (!Files.isRegularFile(json)) {
            return Optional.empty();
        }
        return Optional.of(Json.read(json, VolumeRecord.class));
    }

    public List<VolumeRecord> list() {
        List<VolumeRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                get(p.getFileName().toString()).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new StorageException("cannot list volumes in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(VolumeRecord::name));
        return out;
    }

    /** Notes that container {@code id} mounts the volume. */
    public void addUser(String name, String containerId) {
        try {
            Path users = dir.resolve(name).resolve("users");
            Files.createDirectories(users);
            Path marker = users.resolve(containerId);
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (FileAlreadyExistsException e) {
            // raced with ourselves: fine
        } catch (IOException e) {
            throw new StorageException("cannot record the use of volume " + name + ": " + e.getMessage(), e);
        }
    }

    /** A copy-up filled the volume from an image directory (podman's NeedsCopyUp turns false). */
    public static final String COPIED_UP = "copied-up";
    /** A container mounted the volume (podman's NeedsChown turns false). */
    public static final String FIRST_USED = "first-used";

    /** Records a fact about the volume ({@link #COPIED_UP}, {@link #FIRST_USED}) as a marker file. */
    public void mark(String name, String fact) {
        try {
            Path marker = dir.resolve(name).resolve(fact);
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (FileAlreadyExistsException e) {
            // raced with ourselves: fine
        } catch (IOException e) {
            throw new StorageException("cannot record the state of volume " + name + ": " + e.getMessage(), e);
        }
    }

    public boolean marked(String name, String fact) {
        return Files.exists(dir.resolve(name).resolve(fact));
    }

    /** Ids of containers that mounted the volume (some may be gone: the caller checks). */
    public Set<String> users(String name) {
        Set<String> ids = new TreeSet<>();
        Path users = dir.resolve(name).resolve("users");
        if (Files.isDirectory(users)) {
            try (Stream<Path> s = Files.list(users)) {
                s.forEach(p -> ids.add(p.getFileName().toString()));
            } catch (IOException e) {
                throw new StorageException("cannot read the users of volume " + name + ": " + e.getMessage(), e);
            }
        }
        return ids;
    }

    public void removeUser(String name, String containerId) {
        try {
            Files.deleteIfExists(dir.resolve(name).resolve("users").resolve(containerId));
        } catch (IOException e) {
            // a stale marker only matters while its container exists
        }
    }

    /** Deletes the volume and its data. */
    public void remove(String name) {
        checkName(name);
        Path v = dir.resolve(name);
        try {
            // rename first so a half-deleted volume never looks like a volume
            Path doomed = dir.resolve("." + name + ".removing-" + Fs.randomHex(8));
            Files.move(v, doomed);
            Fs.deleteTree(doomed);
        } catch (NoSuchFileException e) {
            throw new StorageException("no volume with name \"" + name + "\" found");
        } catch (IOException e) {
            throw new StorageException("cannot remove volume " + name + ": " + e.getMessage(), e);
        }
    }
}
