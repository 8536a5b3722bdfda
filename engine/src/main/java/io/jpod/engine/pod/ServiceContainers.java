package io.jpod.engine.pod;

import io.jpod.engine.EngineException;
import io.jpod.engine.container.ContainerRemoveOptions;
import io.jpod.engine.container.ContainerService;
import io.jpod.engine.container.ContainerStartOptions;
import io.jpod.engine.container.RunRequest;
import io.jpod.engine.image.PullPolicy;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ContainerState;
import io.jpod.storage.PodRecord;
import io.jpod.storage.Store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * kube play --service-container, as podman 4.3 has it: one container from the pause image (no network), named after
 * the YAML, that stands for the whole play. It is marked in its own record ({@code Config.service}); each pod the play
 * made names it ({@code PodRecord.serviceContainerId}), so the pods linked to it are found by a scan, never kept as a
 * list. It starts before a pod of it starts, stops once every pod of it is done (Stopped or Exited: pod stop, pod kill,
 * or the last container's exit under exit policy stop), cannot be removed while a pod of it is not done, and is
 * removed with the last pod of it.
 */
public final class ServiceContainers {
    /** The pod states in which the service may stop (podman's: Stopped, Exited, Errored). */
    private static final Set<String> DONE = Set.of("Stopped", "Exited");

    private ServiceContainers() {
    }

    /** The service container's name for a YAML: the first 12 hex digits of its sha256 and "-service" (podman's, predictable). */
    public static String name(String yaml) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(yaml.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12) + "-service";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    /** Whether the container is a service container. */
    public static boolean isService(ContainerRecord c) {
        return c.lifecycle() != null && c.lifecycle().config() != null && Boolean.TRUE.equals(c.lifecycle().config().service());
    }

    /**
     * Creates the service container {@code name} from the pause image, without a network (podman's); with
     * {@code replace} a container of that name is removed first. Its id.
     */
    static String create(Store store, ContainerService containers, String name, boolean replace) {
        if (replace && store.containers().get(name).isPresent()) {
            containers.remove(name, new ContainerRemoveOptions(true, false, 0));
        }
        PauseImage.ensure(store); // built on first need, as for an infra
        RunRequest request = new RunRequest(PauseImage.reference(), List.of(), new RunRequest.ProcessRequest(null, List.of(), null, null, null),
                name, false, new RunRequest.PullRequest(PullPolicy.NEVER, true, true, null), new RunRequest.NetworkRequest("none", List.of()),
                new RunRequest.LifecycleRequest(false, false, false).asCreateOnly(), new RunRequest.SecurityRequest(),
                new RunRequest.ResourceRequest());
        String id = containers.create(request, null).id();
        boolean marked = store.locked(() -> {
            ContainerRecord r = store.containers().get(id).orElse(null);
            if (r == null || r.lifecycle() == null || r.lifecycle().config() == null) {
                return false;
            }
            ContainerLifecycle l = r.lifecycle();
            store.containers().update(new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.command(), r.created(), r.state(),
                    r.exitCode(), new ContainerLifecycle(l.monitorPid(), l.monitorStartTicks(), l.pid(), l.startedAt(), l.finishedAt(),
                    l.error(), l.config().asService(), l.oomKilled(), l.restartCount())));
            return true;
        });
        if (!marked) {
            containers.remove(id, new ContainerRemoveOptions(true, false, 0));
            throw new EngineException("creating service container " + name + ": its record vanished while it was made");
        }
        return id;
    }

    /** The pods linked to the service container, oldest first. */
    static List<PodRecord> pods(Store store, String serviceId) {
        List<PodRecord> out = new ArrayList<>();
        for (PodRecord p : store.pods().list()) {
            if (serviceId.equals(p.serviceContainerId())) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparing(PodRecord::created, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    /** Whether every pod linked to the service container is done (none left counts as done). */
    private static boolean podsDone(Store store, String serviceId, Function<PodRecord, String> podState) {
        for (PodRecord p : pods(store, serviceId)) {
            if (!DONE.contains(podState.apply(p))) {
                return false;
            }
        }
        return true;
    }

    /** A pod's state from the store's records of its containers (its infra's included), for callers without {@link Pods}. */
    public static String storedState(Store store, PodRecord pod) {
        List<ContainerState> states = new ArrayList<>();
        for (ContainerRecord c : store.containers().list()) {
            if (pod.id().equals(Pods.podOf(c))) {
                states.add(c.state());
            }
        }
        return Pods.derive(states);
    }

    /** `rm` of a service container: refused while a pod of it is not done (podman's words, its pods' ids joined by commas). */
    public static void refuseRemoval(Store store, ContainerRecord c) {
        if (!isService(c) || podsDone(store, c.id(), p -> storedState(store, p))) {
            return;
        }
        List<String> ids = pods(store, c.id()).stream().map(PodRecord::id).toList();
        throw new EngineException("container " + c.id() + " is the service container of pod(s) " + String.join(",", ids)
                + " and cannot be removed without removing the pod(s)");
    }

    /** Before the pod starts: its service container starts unless it runs (a removed one is not made again). */
    static void podStarting(Store store, ContainerService containers, PodRecord pod) {
        ContainerRecord service = linked(store, pod);
        if (service == null || service.state() == ContainerState.RUNNING) {
            return;
        }
        int code = containers.start(service.id(), ContainerStartOptions.detached());
        if (code != 0) {
            throw new EngineException("starting service container " + service.name() + " of pod " + pod.name() + ": it exited with status " + code);
        }
    }

    /**
     * After the pod stopped (pod stop, pod kill, or its last container's exit under exit policy stop): the service
     * container stops once every pod of it is done; {@code stop} stops a container by id.
     */
    public static void podStopped(Store store, PodRecord pod, Function<PodRecord, String> podState, Consumer<String> stop) {
        ContainerRecord service = linked(store, pod);
        if (service == null || service.state() != ContainerState.RUNNING || !podsDone(store, service.id(), podState)) {
            return;
        }
        stop.accept(service.id());
    }

    /** After the pod's record is gone (pod rm, kube down): the service container goes with the last pod of it. */
    static void podRemoved(Store store, ContainerService containers, PodRecord pod) {
        ContainerRecord service = linked(store, pod);
        if (service == null || !pods(store, service.id()).isEmpty()) {
            return;
        }
        containers.remove(service.id(), new ContainerRemoveOptions(true, false, 0));
    }

    /** The pod's service container, or null (none linked, or removed since). */
    private static ContainerRecord linked(Store store, PodRecord pod) {
        if (pod.serviceContainerId() == null) {
            return null;
        }
        return store.containers().get(pod.serviceContainerId()).filter(ServiceContainers::isService).orElse(null);
    }
}
