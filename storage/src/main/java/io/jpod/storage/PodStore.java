package io.jpod.storage;

import java.nio.file.Path;
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
    private final RecordDirs<PodRecord> records;

    PodStore(Store store) {
        this.store = store;
        this.records = new RecordDirs<>(store, "pod", PodRecord.class, PodRecord::id, PodRecord::name, PodRecord::created,
                p -> p, true);
    }

    /** {@code <root>/pods/<id>/}. */
    public Path dir(String id) {
        return records.dir(id);
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
            records.install(pod, List.of(), "pod " + pod.name());
            return pod;
        });
    }

    /** By full id, exact name, or unique id prefix (in that order); an ambiguous prefix → StorageException. */
    public Optional<PodRecord> get(String idOrName) {
        return records.find(idOrName);
    }

    /** All pods, newest first. */
    public List<PodRecord> list() {
        return records.newestFirst();
    }

    /** Deletes the pod's record (its containers are the caller's to remove first). A missing pod is not an error. */
    public void remove(String id) {
        records.remove(id, dir -> { });
    }

    private List<PodRecord> scan() {
        return records.scan();
    }
}
