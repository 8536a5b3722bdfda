package io.jpod.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Pods: {@code pods/<id>/pod.json}. A pod directory is assembled in staging and renamed into place, so it exists
 * complete or not at all; names are unique among pods (checked under the store lock, as containers' are).
 */
public final class PodStore {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,253}");

    private final Store store;

    PodStore(Store store) {
        this.store = store;
    }

    private Path pods() {
        return Fs.mkdirs(store.root().resolve("pods"));
    }

    /** {@code <root>/pods/<id>/}. */
    public Path dir(String id) {
        return pods().resolve(Ids.containerId(id));
    }

    /** Whether {@code name} has the form a pod name must have. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Creates the pod's record; a name in use → {@link PodNameInUseException}. */
    public PodRecord create(PodRecord pod) {
        Ids.containerId(pod.id());
        if (!validName(pod.name())) {
            throw new StorageException("invalid pod name " + Fs.quote(String.valueOf(pod.name()))
                    + ": use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        return store.locked(() -> {
            for (PodRecord p : scan()) {
                if (p.name().equals(pod.name())) {
                    throw new PodNameInUseException(pod.name());
                }
            }
            Path dir = dir(pod.id());
            Path stage = store.newStagingDir("pod");
            try {
                Path p = stage.resolve(pod.id());
                Files.createDirectory(p);
                Fs.writeAtomic(p.resolve("pod.json"), Json.bytes(pod));
                Fs.rename(p, dir);
                Fs.fsyncDir(pods());
            } catch (IOException e) {
                throw new StorageException("cannot create pod " + pod.name() + ": " + Fs.describe(e)
                        + "; check free space and permissions of the storage directory");
            } finally {
                store.discard(stage);
            }
            return pod;
        });
    }

    /** By full id, exact name, or unique id prefix (in that order); an ambiguous prefix → StorageException. */
    public Optional<PodRecord> get(String idOrName) {
        if (idOrName == null || idOrName.isEmpty()) {
            return Optional.empty();
        }
        List<PodRecord> all = scan();
        for (PodRecord p : all) {
            if (p.id().equals(idOrName) || p.name().equals(idOrName)) {
                return Optional.of(p);
            }
        }
        if (Ids.isHex(idOrName, 1, 63)) {
            List<PodRecord> hits = all.stream().filter(p -> p.id().startsWith(idOrName)).toList();
            if (hits.size() > 1) {
                throw new StorageException("pod id prefix " + Fs.quote(idOrName) + " is ambiguous: it matches "
                        + hits.size() + " pods; give more digits of the id or use the name");
            }
            if (hits.size() == 1) {
                return Optional.of(hits.get(0));
            }
        }
        return Optional.empty();
    }

    /** All pods, newest first. */
    public List<PodRecord> list() {
        List<PodRecord> all = new ArrayList<>(scan());
        all.sort(Comparator.comparing((PodRecord p) -> p.created() == null ? Instant.EPOCH : p.created()).reversed()
                .thenComparing(PodRecord::id));
        return all;
    }

    /** Deletes the pod's record (its containers are the caller's to remove first). A missing pod is not an error. */
    public void remove(String id) {
        Ids.containerId(id);
        store.locked(() -> {
            Path dir = dir(id);
            if (!Files.isDirectory(dir, Fs.NOFOLLOW)) {
                return null;
            }
            Path trash = store.newStagingDir("trash").resolve(id);
            try {
                Fs.rename(dir, trash);
                Fs.fsyncDir(pods());
            } catch (IOException e) {
                throw new StorageException("cannot remove pod " + id.substring(0, 12) + ": " + Fs.describe(e) + "; check the storage directory");
            }
            store.discard(trash.getParent());
            return null;
        });
    }

    private static PodRecord readQuietly(Path dir) {
        try {
            PodRecord p = Json.read(dir.resolve("pod.json"), PodRecord.class);
            if (p == null || p.id() == null || !p.id().equals(dir.getFileName().toString()) || p.name() == null) {
                return null;
            }
            return p;
        } catch (StorageException e) {
            return null;
        }
    }

    private List<PodRecord> scan() {
        List<PodRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pods())) {
            for (Path p : ds) {
                if (Ids.isHex(p.getFileName().toString(), 64, 64)) {
                    PodRecord r = readQuietly(p);
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list " + pods() + ": " + Fs.describe(e) + "; check the storage directory");
        }
        return out;
    }
}
