package io.jpod.engine.volume;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Predicate;

/**
 * The engine's front door for named volumes: what `jpod volume …`, `inspect --type volume`, `kube play/down` and
 * the API's {@code /volumes} call. Options in, reports out; the callers render the reports.
 */
public interface VolumeService {
    /** `volume create`: the new volume (with {@link VolumeCreateOptions#ignoreIfExists()} an existing one as it is). */
    VolumeReport create(VolumeCreateOptions options);

    /** Every volume {@code filter} takes, in the store's order. */
    List<VolumeReport> list(Predicate<VolumeReport> filter);

    /** One volume; {@link io.jpod.engine.NoSuchVolumeException} when there is none of that name. */
    VolumeReport inspect(String name);

    boolean exists(String name);

    /** The existing containers that mounted the volume (what keeps it from `volume rm` and `prune`). */
    List<String> usedBy(String name);

    /**
     * `volume rm`: {@link io.jpod.engine.NoSuchVolumeException}, or {@link io.jpod.engine.VolumeInUseException} for a
     * volume containers use unless the options say to remove them first.
     */
    void remove(String name, VolumeRemoveOptions options);

    /** The volumes no container uses that {@code filter} takes: what {@link #prune} would remove. */
    List<String> pruneCandidates(Predicate<VolumeReport> filter);

    /** `volume prune`: removes the volumes no container uses that {@code filter} takes. */
    VolumePruneReport prune(Predicate<VolumeReport> filter);

    /** `volume export`: the volume's contents as a tar. */
    void export(String name, OutputStream out);

    /** `volume import`: a (compressed) tar extracted into the volume. */
    void importTar(String name, InputStream in);
}
