package io.jpod.engine.container;

import io.jpod.engine.image.ImageSettings;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;

import java.util.List;
import java.util.Map;

/** The lifecycle part of a new container's record: what later commands (inspect, exec, start, stop) need. */
final class LifecycleSetup {
    private LifecycleSetup() {
    }

    static ContainerRecord created(ContainerRecord r, RunRequest req, String hostname, String cwd, List<String> env,
                                   ImageSettings settings, String driver, String ociRuntime) {
        RunRequest.LifecycleRequest l = req.lifecycle();
        // --stop-signal, else the image's StopSignal (podman's order); a bad name fails now, not at stop time
        String stopSignal = l.stopSignal() != null ? l.stopSignal()
                : settings.stopSignal() == null || settings.stopSignal().isBlank() ? null : settings.stopSignal();
        if (stopSignal != null) {
            Signals.parse(stopSignal);
        }
        // keep-id's default user (the caller's ids) is recorded too: `exec` runs as the container's user
        String user = req.process().user() != null ? req.process().user() : SandboxPolicy.defaultUser(req.security(), settings.user());
        List<String> entrypoint = req.process().entrypoint() != null ? ProcessArgs.entrypointWords(req.process().entrypoint())
                : settings.entrypoint() == null ? List.of() : settings.entrypoint();
        ContainerLifecycle.Config config = new ContainerLifecycle.Config(hostname, user == null || user.isEmpty() ? "root" : user,
                cwd, env, entrypoint, l.labels() == null ? Map.of() : l.labels(), l.tty(), l.interactive(), l.init(),
                req.remove(), stopSignal, l.stopTimeout(), req.network().mode(), driver,
                l.log() == null || l.log().driver().equals("k8s-file") ? null : l.log().driver(),
                l.log() == null ? null : l.log().path(), l.log() == null ? null : l.log().maxSize(), l.restart().stored(),
                l.health() != null ? l.health() : settings.healthcheck(), RunFlags.stored(req, ociRuntime), req.pod());
        return Lifecycle.with(r, r.state(), r.exitCode(), new ContainerLifecycle(null, null, null, null, null, null, config));
    }
}
