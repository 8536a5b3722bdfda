package io.jpod.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transition table of a container's state, and its stored form (the strings older stores hold). */
class ContainerStateTest {
    @Test
    void transitionsAreTheTable() {
        Set<String> allowed = Set.of("CREATED>RUNNING", "CREATED>EXITED", "RUNNING>STOPPING", "RUNNING>EXITED",
                "STOPPING>EXITED", "EXITED>RUNNING");
        for (ContainerState from : ContainerState.values()) {
            for (ContainerState to : ContainerState.values()) {
                boolean expected = from == to || allowed.contains(from.name() + ">" + to.name());
                assertEquals(expected, from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void anImproperMoveIsRefusedWithPodmansCause() {
        assertSame(ContainerState.RUNNING, ContainerState.EXITED.moveTo(ContainerState.RUNNING, "web"));
        ContainerStateException e = assertThrows(ContainerStateException.class,
                () -> ContainerState.RUNNING.moveTo(ContainerState.CREATED, "web"));
        assertEquals("container web is running and cannot become created: container state improper", e.getMessage());
        assertThrows(ContainerStateException.class, () -> ContainerState.EXITED.moveTo(ContainerState.STOPPING, "web"));
    }

    @Test
    void storedAsTheSameStringsAsBefore() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("\"running\"", json.writeValueAsString(ContainerState.RUNNING));
        for (ContainerState s : EnumSet.allOf(ContainerState.class)) {
            assertSame(s, json.readValue(json.writeValueAsString(s), ContainerState.class));
            assertEquals(s.value(), s.toString());
        }
        assertSame(ContainerState.EXITED, json.readValue("\"stopped\"", ContainerState.class));
        assertSame(ContainerState.CREATED, json.readValue("\"configured\"", ContainerState.class));
        assertThrows(Exception.class, () -> json.readValue("\"sleeping\"", ContainerState.class));
    }

    @Test
    void stoppingStillRuns() {
        assertTrue(ContainerState.STOPPING.isRunning());
        assertTrue(ContainerState.RUNNING.isRunning());
        assertFalse(ContainerState.EXITED.isRunning());
        assertFalse(ContainerState.CREATED.isRunning());
    }
}
