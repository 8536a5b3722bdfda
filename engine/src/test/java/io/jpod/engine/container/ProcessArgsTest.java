package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProcessArgsTest {
    @Test
    void commandReplacesCmdButKeepsEntrypoint() {
        assertEquals(List.of("/entry", "ls", "-l"), ProcessArgs.of(List.of("/entry"), List.of("sh"), null, List.of("ls", "-l")));
        assertEquals(List.of("/entry", "sh"), ProcessArgs.of(List.of("/entry"), List.of("sh"), null, List.of()));
        assertEquals(List.of("sh"), ProcessArgs.of(null, List.of("sh"), null, List.of()));
    }

    @Test
    void entrypointOverrideDropsTheImageCmd() {
        assertEquals(List.of("/bin/echo"), ProcessArgs.of(List.of("/entry"), List.of("sh"), "/bin/echo", List.of()));
        assertEquals(List.of("/bin/echo", "hi"), ProcessArgs.of(List.of("/entry"), List.of("sh"), "/bin/echo", List.of("hi")));
        assertEquals(List.of("ls"), ProcessArgs.of(List.of("/entry"), List.of("sh"), "", List.of("ls")));
        assertEquals(List.of("/bin/echo", "a b", "hi"), ProcessArgs.of(List.of("/entry"), List.of("sh"), "[\"/bin/echo\",\"a b\"]", List.of("hi")));
        assertEquals(List.of("[x"), ProcessArgs.of(null, null, "[x", List.of()));
    }

    @Test
    void nothingToRunIsAnError() {
        EngineException e = assertThrows(EngineException.class, () -> ProcessArgs.of(null, null, null, List.of()));
        assertEquals(true, e.getMessage().startsWith("no command specified"));
    }
}
