package io.jpod.engine.volume;

import io.jpod.storage.VolumeRecord;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** {@link VolumeService} over the store's volumes ({@link Volumes}). */
public final class StoreVolumeService implements VolumeService {
    /** Removes a container that uses a volume (the container subject's business, handed in by the engine). */
    @FunctionalInterface
    public interface ContainerRemover {
        void remove(String containerId, int stopSeconds);
    }

    private final Volumes volumes;
    private final ContainerRemover containers;

    public StoreVolumeService(Volumes volumes, ContainerRemover containers) {
        this.volumes = volumes;
        this.containers = containers;
    }

    @Override
    public VolumeReport create(VolumeCreateOptions o) {
        if (o.ignoreIfExists() && o.name() != null) {
            var existing = volumes.get(o.name());
            if (existing.isPresent()) {
                return report(existing.get());
            }
        }
        return report(volumes.create(o.name(), o.labels(), o.driverOptions()));
    }

    @Override
    public List<VolumeReport> list(Predicate<VolumeReport> filter) {
        List<VolumeReport> out = new ArrayList<>();
        for (VolumeRecord r : volumes.list()) {
            VolumeReport v = report(r);
            if (filter.test(v)) {
                out.add(v);
            }
        }
        return out;
    }

    @Override
    public VolumeReport inspect(String name) {
        return report(volumes.require(name));
    }

    @Override
    public boolean exists(String name) {
        return volumes.get(name).isPresent();
    }

    @Override
    public List<String> usedBy(String name) {
        return volumes.usedBy(name);
    }

    @Override
    public void remove(String name, VolumeRemoveOptions o) {
        volumes.require(name);
        if (o.removeContainers()) {
            for (String id : volumes.usedBy(name)) {
                containers.remove(id, o.stopSeconds());
            }
        }
        volumes.remove(name, o.force());
    }

    @Override
    public List<String> pruneCandidates(Predicate<VolumeReport> filter) {
        return volumes.unused(r -> filter.test(report(r)));
    }

    @Override
    public VolumePruneReport prune(Predicate<VolumeReport> filter) {
        return new VolumePruneReport(volumes.prune(r -> filter.test(report(r))));
    }

    @Override
    public void export(String name, OutputStream out) {
        volumes.export(name, out);
    }

    @Override
    public void importTar(String name, InputStream in) {
        volumes.importTar(name, in);
    }

    private VolumeReport report(VolumeRecord r) {
        return new VolumeReport(r.name(), r.driver(), volumes.mountpoint(r.name()), r.created(), r.labels(), r.options(),
                volumes.needsCopyUp(r.name()), volumes.needsChown(r.name()));
    }
}
