package io.jpod.engine.system;

import io.jpod.engine.network.BridgeNetworking;
import io.jpod.engine.volume.Volumes;
import io.jpod.engine.Dirs;
import io.jpod.storage.ContainerState;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.KernelOverlayDriver;
import io.jpod.storage.LayerInfo;
import io.jpod.storage.Mounts;
import io.jpod.storage.Store;
import io.jpod.storage.StoreCheck;
import io.jpod.storage.StoreMaintenance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** `jpod system df|prune|reset|check`: disk usage, clean-up and verification of the store. */
public final class SystemCommands implements SystemService {
    private final Store store;
    private final Dirs dirs;
    private final NativeHelper helper;

    private final Supplier<InfoSources> info;

    /** What `info` needs beyond the store, handed in by the engine so this package does not reach into the others. */
    public interface InfoSources {
        /** The storage driver in use (as chosen for containers). */
        String driverName();

        /** Why that driver was chosen. */
        String driverReason();

        /** Every container's state, reconciled with reality. */
        List<ContainerState> containerStates();

        /** The cgroups delegated to this user, or why none are (podman's `cgroups` section). */
        Map<String, Object> cgroups();
    }

    public SystemCommands(Store store, Dirs dirs, NativeHelper helper, Supplier<InfoSources> info) {
        this.store = store;
        this.dirs = dirs;
        this.helper = helper;
        this.info = info;
    }

    @Override
    public SystemInfoReport info() {
        InfoSources in = info.get();
        String driver = in.driverName();
        String reason = in.driverReason();
        int images = store.images().list().size();
        List<ContainerState> states = in.containerStates();
        int running = (int) states.stream().filter(s -> s == ContainerState.RUNNING).count();
        return new SystemInfoReport(dirs.storageRoot().toString(), dirs.runRoot().path().toString(), dirs.volumes().toString(),
                driver, reason, images, states.size(), running, in.cgroups());
    }

    @Override
    public EventStream events(EventOptions options) {
        return new EventStream(dirs.runRoot().path(), options);
    }

    public List<SystemDfReport> df() {
        List<ImageRecord> images = store.images().list();
        List<ContainerRecord> containers = store.containers().list();
        Set<String> usedImages = new HashSet<>();
        containers.forEach(c -> usedImages.add(c.imageId()));
        Map<String, Long> layerSize = new HashMap<>();
        Set<String> usedLayers = new HashSet<>();
        for (ImageRecord r : images) {
            for (String l : r.layers()) {
                layerSize.computeIfAbsent(l, k -> store.layers().info(k).map(LayerInfo::size).orElse(0L));
                if (usedImages.contains(r.id())) {
                    usedLayers.add(l);
                }
            }
        }
        long imageSize = layerSize.values().stream().mapToLong(Long::longValue).sum();
        long imageReclaim = layerSize.entrySet().stream().filter(e -> !usedLayers.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        int activeImages = (int) images.stream().filter(r -> usedImages.contains(r.id())).count();
        long containerSize = 0;
        long containerReclaim = 0;
        int running = 0;
        for (ContainerRecord c : containers) {
            long s = StoreMaintenance.du(store.containers().upperDir(c.id()));
            containerSize += s;
            if (c.state() == ContainerState.RUNNING) {
                running++;
            } else {
                containerReclaim += s;
            }
        }
        // a volume is active while a container (running or not) uses it, as podman counts it
        Volumes volumes = new Volumes(store, dirs.volumes());
        int activeVolumes = 0;
        long volumeSize = 0;
        long volumeReclaim = 0;
        List<io.jpod.storage.VolumeRecord> allVolumes = volumes.list();
        for (io.jpod.storage.VolumeRecord v : allVolumes) {
            long s = StoreMaintenance.du(volumes.mountpoint(v.name()));
            volumeSize += s;
            if (volumes.usedBy(v.name()).isEmpty()) {
                volumeReclaim += s;
            } else {
                activeVolumes++;
            }
        }
        return List.of(new SystemDfReport("Images", images.size(), activeImages, imageSize, imageReclaim),
                new SystemDfReport("Containers", containers.size(), running, containerSize, containerReclaim),
                new SystemDfReport("Local Volumes", allVolumes.size(), activeVolumes, volumeSize, volumeReclaim));
    }

    public SystemDfVerboseReport dfVerbose() {
        List<ContainerRecord> containers = store.containers().list();
        List<SystemDfVerboseReport.Image> images = new ArrayList<>();
        for (ImageRecord r : store.images().list()) {
            long size = 0;
            for (String l : r.layers()) {
                size += store.layers().info(l).map(LayerInfo::size).orElse(0L);
            }
            images.add(new SystemDfVerboseReport.Image(r.id(), r.names(), r.created(), size,
                    (int) containers.stream().filter(c -> r.id().equals(c.imageId())).count()));
        }
        Volumes volumes = new Volumes(store, dirs.volumes());
        Map<String, Integer> volumesOf = new HashMap<>();
        List<SystemDfVerboseReport.Volume> vols = new ArrayList<>();
        for (io.jpod.storage.VolumeRecord v : volumes.list()) {
            List<String> users = volumes.usedBy(v.name());
            users.forEach(id -> volumesOf.merge(id, 1, Integer::sum));
            vols.add(new SystemDfVerboseReport.Volume(v.name(), users.size(), StoreMaintenance.du(volumes.mountpoint(v.name()))));
        }
        List<SystemDfVerboseReport.Container> cs = new ArrayList<>();
        for (ContainerRecord c : containers) {
            cs.add(new SystemDfVerboseReport.Container(c.id(), c.imageId(), c.command(), c.created(), String.valueOf(c.state()),
                    c.name(), volumesOf.getOrDefault(c.id(), 0), StoreMaintenance.du(store.containers().upperDir(c.id()))));
        }
        return new SystemDfVerboseReport(images, cs, vols);
    }

    /**
     * Removes containers that are not running, then images no container uses (only untagged ones unless {@code all}),
     * then layers no image needs.
     */
    public SystemPruneReport prune(boolean all) {
        List<String> removedContainers = new ArrayList<>();
        for (ContainerRecord c : store.containers().list()) {
            if (c.state() != ContainerState.RUNNING && !Mounts.isMountPoint(store.containers().mergedDir(c.id()))
                    && !io.jpod.engine.pod.Pods.isInfra(store, c)) { // an infra goes with its pod only
                store.containers().remove(c.id());
                removedContainers.add(c.id());
            }
        }
        Set<String> used = new HashSet<>();
        store.containers().list().forEach(c -> used.add(c.imageId()));
        List<String> removedImages = new ArrayList<>();
        for (ImageRecord r : store.images().list()) {
            if (!used.contains(r.id()) && (all || r.names().isEmpty())) {
                store.images().remove(r.id());
                removedImages.add(r.id());
            }
        }
        StoreMaintenance.Pruned layers = StoreMaintenance.removeUnusedLayers(store);
        return new SystemPruneReport(removedContainers, removedImages, layers.layers().size(), layers.bytes(), layers.skippedBecauseBusy());
    }

    /**
     * Removes all of jpod's storage and run-time state and stops the pause process: unmounts every container rootfs,
     * deletes the storage root's contents and the run root's, then kills the pause process (the next command creates a
     * fresh one). The caller has asked for confirmation.
     */
    public void reset() {
        KernelOverlayDriver unmounter = new KernelOverlayDriver(helper.binary()); // a lazy umount works for FUSE mounts too
        for (ContainerRecord c : store.containers().list()) {
            Path merged = store.containers().mergedDir(c.id());
            if (Mounts.isMountPoint(merged)) {
                unmounter.unmount(merged);
            }
        }
        store.close();
        StoreMaintenance.wipe(dirs.storageRoot());
        // the user networks' namespace: its holder, slirp4netns, bridges and veths (the containers are gone)
        new BridgeNetworking(dirs.runRoot().path(), Map.of(), () -> helper).stopHolder();
        Path runRoot = dirs.runRoot().path();
        long pause = pausePid(dirs.runRoot().pausePidFile());
        try (var entries = Files.list(runRoot)) {
            for (Path p : entries.toList()) {
                if (!p.getFileName().toString().startsWith("pause.")) {
                    StoreMaintenance.deleteTree(p);
                }
            }
        } catch (IOException e) {
            // nothing there
        }
        if (pause > 0) {
            ProcessHandle.of(pause).ifPresent(ProcessHandle::destroyForcibly);
            try {
                Files.deleteIfExists(dirs.runRoot().pausePidFile());
            } catch (IOException e) {
                // a stale pid file is recognised as such by the next command
            }
        }
    }

    /** The pause process's pid if the pid file names a live jpod-pause process, else -1. */
    private static long pausePid(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
            String comm = Files.readString(Path.of("/proc/" + pid + "/comm"), StandardCharsets.UTF_8).strip();
            return comm.equals("jpod-pause") ? pid : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public SystemCheckReport check(boolean repair) {
        StoreCheck.Report r = new StoreCheck(store).run(repair);
        return new SystemCheckReport(r.images(), r.layers(), r.containers(), r.problems().stream()
                .map(p -> new SystemCheckReport.Problem(p.kind(), p.subject(), p.detail(), p.repaired())).toList(), r.consistent());
    }
}
