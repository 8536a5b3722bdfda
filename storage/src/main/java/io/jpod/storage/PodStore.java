package io.jpod.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Pods: {@code pods/<id>/pod.json}. A pod directory is assembled in staging and renamed into place, so it exists
 * complete or not at all; names are unique among pods (checked under the store lock, as containers' are).
 */
public final class PodStore {
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
        return RecordDirs.validName(name);
    }

    /** Creates the pod's record; a name in use → {@link PodNameInUseException}. */
    public PodRecord create(PodRecord pod) {
        Ids.containerId(pod.id());
        records.checkName(pod.name());
        return store.locked(() -> {
            if (records.named(pod.name(), null).isPresent()) {
                throw new PodNameInUseException(pod.name());
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
}
