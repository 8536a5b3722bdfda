package io.jpod.engine.pod;

import io.jpod.engine.EngineException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jpod.storage.ContainerState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pod's state from its containers' (podman's rule) and --share. */
class PodsTest {
    @Test
    void stateIsDerivedAsPodmanDerivesIt() {
        assertEquals("Created", Pods.derive(List.of()));
        assertEquals("Created", Pods.derive(List.of(ContainerState.CREATED, ContainerState.CREATED)));
        assertEquals("Running", Pods.derive(List.of(ContainerState.RUNNING, ContainerState.RUNNING)));
        assertEquals("Degraded", Pods.derive(List.of(ContainerState.RUNNING, ContainerState.EXITED)));
        assertEquals("Degraded", Pods.derive(List.of(ContainerState.RUNNING, ContainerState.CREATED)));
        assertEquals("Exited", Pods.derive(List.of(ContainerState.EXITED, ContainerState.EXITED)));
        assertEquals("Stopped", Pods.derive(List.of(ContainerState.EXITED, ContainerState.CREATED)));
    }

    @Test
    void shareTakesPodmansNames() {
        assertEquals(List.of("uts", "ipc", "net"), Pods.parseShare(null));
        assertEquals(List.of("net", "pid"), Pods.parseShare("net,pid"));
        assertEquals(List.of("uts", "ipc", "net", "pid"), Pods.parseShare("+pid"));
        assertEquals(List.of(), Pods.parseShare("none"));
        EngineException e = assertThrows(EngineException.class, () -> Pods.parseShare("net,foo"));
        assertEquals("invalid kernel namespace to share: foo. Options are: cgroup, ipc, net, pid, uts or none", e.getMessage());
    }
}
