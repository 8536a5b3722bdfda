package io.jpod.engine.container;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ContainerEnvTest {
    @Test
    void imageEnvThenDefaultsThenUserEnvLaterWins() {
        List<String> env = ContainerEnv.build(List.of("PATH=/app/bin", "A=1"), List.of("A=2", "FROM_HOST", "MISSING"),
                "abc123", "/root", false, Map.of("FROM_HOST", "h"));
        assertEquals(List.of("PATH=/app/bin", "A=2", "container=jpod", "HOSTNAME=abc123", "HOME=/root", "FROM_HOST=h"), env);
    }

    @Test
    void defaultPathWhenTheImageHasNone() {
        List<String> env = ContainerEnv.build(null, List.of(), "h", "/", true, Map.of());
        assertEquals("PATH=" + ContainerEnv.DEFAULT_PATH, env.get(0));
        assertEquals(true, env.contains("TERM=xterm"));
    }
}
