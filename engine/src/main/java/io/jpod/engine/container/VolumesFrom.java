package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchContainerException;
import io.jpod.engine.pod.KubeSource;
import io.jpod.engine.volume.Volumes;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.Store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * `run/create --volumes-from CONTAINER[:ro|rw[,z|Z]]`: the named containers' volumes and bind mounts, mounted at the
 * same destinations, turned into -v specs before anything is created. Each keeps its own mode unless the suffix says
 * ro or rw; a destination the new container mounts itself is left to its own mount, as in podman. The mounts are the
 * container's -v mounts (as it was given them, with its anonymous volumes by name); tmpfs are not shared.
 */
final class VolumesFrom {
    private VolumesFrom() {
    }

    /** {@code req} with its --volumes-from expanded into -v specs (and none left to expand). */
    static RunRequest resolve(Store store, RunRequest req) {
        RunRequest.SecurityRequest s = req.security();
        if (s == null || s.volumesFrom().isEmpty()) {
            return req;
        }
        Set<String> ownTargets = new HashSet<>();
        s.volumes().forEach(v -> ownTargets.add(MountSpecs.parseVolume(v).target()));
        s.mounts().forEach(m -> ownTargets.add(MountSpecs.parseMount(m).target()));
        s.tmpfs().forEach(t -> ownTargets.add(t.split(":", 2)[0]));
        List<String> volumes = new ArrayList<>(s.volumes());
        for (String from : s.volumesFrom()) {
            volumes.addAll(specs(store, from, ownTargets));
        }
        RunRequest.SecurityRequest expanded = new RunRequest.SecurityRequest(s.capAdd(), s.capDrop(), s.privileged(), s.securityOpts(),
                volumes, s.mounts(), s.tmpfs(), s.readOnly(), s.readOnlyTmpfs(), s.userns(), s.ulimits(), s.devices(), s.hostUsers(),
                s.secrets(), List.of());
        return new RunRequest(req.image(), req.command(), req.process(), req.name(), req.remove(), req.pull(), req.network(),
                req.lifecycle(), expanded, req.resources(), req.pod());
    }

    private static List<String> specs(Store store, String from, Set<String> ownTargets) {
        int colon = from.indexOf(':');
        String name = colon < 0 ? from : from.substring(0, colon);
        Boolean readOnly = colon < 0 ? null : mode(from.substring(colon + 1));
        if (name.isEmpty()) {
            throw new EngineException("invalid --volumes-from \"" + from + "\": name a container (CONTAINER[:ro|rw])");
        }
        ContainerRecord source = store.containers().get(name).orElseThrow(() -> new NoSuchContainerException(name));
        Path dir = store.containers().dir(source.id());
        Iterator<String> anonymous = Volumes.anonymousNames(dir).iterator();
        List<String> out = new ArrayList<>();
        for (String spec : KubeSource.read(dir).volumes()) {
            String[] f = spec.split(":", -1);
            boolean anonymousVolume = f.length == 1;
            String src = anonymousVolume ? (anonymous.hasNext() ? anonymous.next() : null) : f[0];
            String target = anonymousVolume ? f[0] : f[1];
            if (src == null || ownTargets.contains(target)) {
                continue;
            }
            List<String> opts = new ArrayList<>(f.length == 3 ? Arrays.asList(f[2].split(",")) : List.of());
            boolean wasReadOnly = opts.contains("ro");
            opts.removeAll(List.of("ro", "rw", MountSpecs.CHOWN)); // the source's ownership was settled when it was made
            if (readOnly != null ? readOnly : wasReadOnly) {
                opts.add("ro");
            }
            out.add(src + ":" + target + (opts.isEmpty() ? "" : ":" + String.join(",", opts)));
        }
        return out;
    }

    /** The suffix after CONTAINER: ro or rw (null: each mount's own), with z or Z (no labels here). */
    private static Boolean mode(String options) {
        Boolean readOnly = null;
        for (String o : options.split(",", -1)) {
            switch (o) {
                case "ro" -> readOnly = true;
                case "rw" -> readOnly = false;
                case "z", "Z" -> {
                }
                default -> throw new EngineException("invalid options \"" + options + "\", can only specify 'ro', 'rw', and 'z'");
            }
        }
        return readOnly;
    }
}
