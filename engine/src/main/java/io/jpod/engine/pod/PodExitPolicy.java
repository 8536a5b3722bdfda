package io.jpod.engine.pod;

import io.jpod.engine.EngineException;

import io.jpod.engine.pod.PodInfra;
import io.jpod.engine.pod.Pods;
import io.jpod.engine.container.Signals;

import io.jpod.storage.ContainerRecord;
import io.jpod.storage.PodRecord;
import io.jpod.storage.Store;

/**
 * podman's pod --exit-policy: "continue" (the default) keeps the infra running when the pod's containers have all
 * exited; "stop" stops it then, so the pod is Exited (kube play's pods are made so, as podman's).
 */
public final class PodExitPolicy {
    private PodExitPolicy() {
    }

    /** The policy as stored: null for continue; podman's message for anything else. */
    public static String parse(String given) {
        if (given == null || given.isEmpty() || given.equals("continue")) {
            return null;
        }
        if (given.equals("stop")) {
            return "stop";
        }
        throw new EngineException("running pod create option: invalid pod exit policy: \"" + given + "\"");
    }

    /**
     * After a container's teardown: with "stop", the infra stops once no container of the pod runs, and then the
     * pod's service container once every pod of it is done ({@code stopContainer} stops a container by id).
     */
    public static void containerExited(Store store, PodInfra infra, ContainerRecord exited, java.util.function.Consumer<String> stopContainer) {
        String podId = Pods.podOf(exited);
        if (podId == null) {
            return;
        }
        PodRecord pod = store.pods().get(podId).orElse(null);
        if (pod == null || pod.infraId() == null || !"stop".equals(pod.exitPolicy())) {
            return;
        }
        for (ContainerRecord c : store.containers().list()) {
            if (podId.equals(Pods.podOf(c)) && !c.id().equals(exited.id()) && !c.id().equals(pod.infraId()) && c.state() == io.jpod.storage.ContainerState.RUNNING) {
                return;
            }
        }
        infra.stop(pod, Signals.TERM);
        ServiceContainers.podStopped(store, pod, p -> ServiceContainers.storedState(store, p), stopContainer);
    }
}
