package io.jpod.engine.container;

import io.jpod.engine.volume.Volumes;

import io.jpod.engine.ContainerRunningException;
import io.jpod.engine.Dirs;
import io.jpod.engine.EngineException;
import io.jpod.engine.RequestContext;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ContainerState;
import io.jpod.storage.Store;
import io.jpod.storage.VolumeStore;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** {@link ContainerService} on this machine's store, through the container's {@link Lifecycle}. */
public final class LocalContainerService implements ContainerService {
    private final Store store;
    private final Dirs dirs;
    private final Supplier<Lifecycle> lifecycle;
    private final PrintStream err;

    /** @param lifecycle a fresh Lifecycle per operation (it holds no state of its own between them) */
    public LocalContainerService(Store store, Dirs dirs, Supplier<Lifecycle> lifecycle, PrintStream err) {
        this.store = store;
        this.dirs = dirs;
        this.lifecycle = lifecycle;
        this.err = err;
    }

    @Override
    public List<ContainerRecord> list() {
        Lifecycle lc = lifecycle.get();
        List<ContainerRecord> out = new ArrayList<>();
        for (ContainerRecord c : store.containers().list()) {
            try {
                out.add(lc.reconcile(c));
            } catch (RuntimeException e) {
                err.println("jpod: warning: container " + c.name() + ": " + e.getMessage());
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public ContainerRecord get(String nameOrId) {
        return lifecycle.get().current(nameOrId);
    }

    @Override
    public boolean exists(String nameOrId) {
        return store.containers().get(nameOrId).isPresent();
    }

    @Override
    public ContainerStopReport stop(String nameOrId, ContainerStopOptions options) {
        Lifecycle lc = lifecycle.get();
        String warning = lc.stop(nameOrId, options.timeout());
        return new ContainerStopReport(store.containers().get(nameOrId).map(ContainerRecord::id).orElse(nameOrId), warning);
    }

    @Override
    public void kill(String nameOrId, ContainerKillOptions options) {
        lifecycle.get().kill(nameOrId, Signals.parse(options.signal()));
    }

    @Override
    public ContainerRemoveReport remove(String nameOrId, ContainerRemoveOptions options) {
        Lifecycle lc = lifecycle.get();
        ContainerRecord c = lc.current(nameOrId);
        if (io.jpod.engine.pod.Pods.isInfra(store, c)) { // it goes with its pod (pod rm, rm --depend, rmi -f)
            throw new EngineException("container " + c.id() + " is the infra container of pod " + io.jpod.engine.pod.Pods.podOf(c)
                    + " and cannot be removed without removing the pod");
        }
        ContainerDependencies.refuseIfDepended(store, c); // --network container:ID of it (rm --depend removes them)
        if (c.state() != ContainerState.RUNNING) {
            lc.awaitMonitorGone(c.id()); // its exit command finishes first, and may start it again (--restart)
            c = lc.current(c.id());
        }
        if (c.state() == ContainerState.RUNNING) {
            if (!options.force()) {
                // podman's sentence (with the container as the user named it, and its "container state improper" cause)
                throw new ContainerRunningException("cannot remove container " + nameOrId + " as it is running - running or paused "
                        + "containers cannot be removed without force: container state improper");
            }
            lc.stop(c.id(), options.timeout());
        }
        lc.awaitMonitorGone(c.id()); // its exit command finishes before the container goes
        lc.unmountStopped(c);
        if (options.volumes()) {
            Volumes.releaseAnonymous(new VolumeStore(store.root()), store.containers().dir(c.id()));
        }
        lc.event("remove", c, Map.of());
        store.containers().remove(c.id());
        lc.releaseAddresses(c);
        ContainerRunner.deleteTree(dirs.runRoot().containerDir(c.id()));
        return new ContainerRemoveReport(c.id());
    }

    @Override
    public int wait(String nameOrId, ContainerWaitOptions options) {
        Lifecycle lc = lifecycle.get();
        if (options.exitCodeRequired() && options.condition() == ContainerWaitOptions.Condition.NOT_RUNNING) {
            Integer code = lc.await(nameOrId);
            if (code == null) {
                throw new EngineException("container " + nameOrId + " was removed before its exit code could be read");
            }
            return code;
        }
        String id = lc.get(nameOrId).id();
        if (options.condition() != ContainerWaitOptions.Condition.NOT_RUNNING) {
            while (true) {
                ContainerRecord r = store.containers().get(id).orElse(null);
                if (r == null || r.state() != ContainerState.CREATED) {
                    break;
                }
                Lifecycle.pause();
            }
        }
        Integer code = lc.await(id);
        if (options.condition() == ContainerWaitOptions.Condition.REMOVED) {
            while (store.containers().get(id).isPresent()) {
                Lifecycle.pause();
            }
            try {
                Integer after = lc.await(id); // the code recorded when --rm removed it
                code = after != null ? after : code;
            } catch (EngineException gone) {
                // no code recorded: the one seen at the exit stands
            }
        }
        return code == null ? 0 : code;
    }

    @Override
    public void restart(String nameOrId, ContainerRestartOptions options) {
        Lifecycle lc = lifecycle.get();
        lc.stop(nameOrId, options.timeout());
        int code = lc.start(nameOrId, false, false);
        if (code != 0) {
            throw new EngineException("container " + nameOrId + " failed to start again (status " + code + ")");
        }
    }

    @Override
    public void rename(String nameOrId, String newName) {
        ContainerRecord c = lifecycle.get().get(nameOrId);
        ContainerNames.validate(newName);
        store.containers().update(new ContainerRecord(c.id(), newName, c.imageId(), c.imageName(), c.command(),
                c.created(), c.state(), c.exitCode(), c.lifecycle()));
    }

    @Override
    public ContainerPruneReport prune() {
        List<String> removed = new ArrayList<>();
        for (ContainerRecord c : list()) {
            if (c.state() != ContainerState.RUNNING && !io.jpod.engine.pod.Pods.isInfra(store, c)) { // an infra goes with its pod
                remove(c.id(), new ContainerRemoveOptions(false, false, 0));
                removed.add(c.id());
            }
        }
        return new ContainerPruneReport(removed);
    }

    @Override
    public void logs(List<String> namesOrIds, LogOptions options, RequestContext context) {
        PrintStream out = context.stdout();
        PrintStream errOut = context.stderr();
        Lifecycle lc = lifecycle.get();
        List<ContainerRecord> containers = new ArrayList<>();
        for (String nameOrId : namesOrIds) {
            ContainerRecord c = lc.get(nameOrId);
            if (Lifecycle.logsNothing(c)) {
                throw new EngineException("this container is using the 'none' log driver, cannot read logs: this container is not logging output");
            }
            containers.add(c);
        }
        if (containers.size() == 1) {
            new LogReader(lc, options).print(containers.get(0).id(), out, errOut);
            return;
        }
        if (!options.follow()) {
            for (ContainerRecord c : containers) {
                new LogReader(lc, options, c.id().substring(0, 12) + " ").print(c.id(), out, errOut);
            }
            return;
        }
        List<Thread> readers = new ArrayList<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (ContainerRecord c : containers) {
            Thread t = new Thread(() -> {
                try {
                    new LogReader(lc, options, c.id().substring(0, 12) + " ").print(c.id(), out, errOut);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "logs-" + c.id().substring(0, 12));
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
        for (Thread t : readers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException("interrupted while following the logs");
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    @Override
    public ContainerTopReport top(String nameOrId, List<String> descriptors) {
        List<String> columns = Top.descriptors(descriptors);
        Lifecycle lc = lifecycle.get();
        ContainerRecord c = lc.current(nameOrId);
        if (c.state() != ContainerState.RUNNING) {
            throw new EngineException("container " + c.name() + " is not running; start it first");
        }
        return new ContainerTopReport(Top.processes(lc.initPid(c), columns, store.containers().mergedDir(c.id())));
    }

    @Override
    public List<Map<String, Object>> inspect(List<String> namesOrIds) {
        Lifecycle lc = lifecycle.get();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String c : namesOrIds) {
            out.add(Inspector.inspect(lc.current(c), store, lc, dirs));
        }
        return out;
    }
}
