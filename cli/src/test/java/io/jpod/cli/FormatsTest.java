package io.jpod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Formats.json writes what databind's indented writer writes, for every kind of value a report holds. */
class FormatsTest {
    private static final ObjectMapper DATABIND = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    record Health(String status, int failingStreak, List<String> log) {
    }

    enum Kind { CONTAINER }

    private static void same(Object value) throws Exception {
        assertEquals(DATABIND.writeValueAsString(value), Formats.json(value));
    }

    @Test
    void writesWhatDatabindWrites() throws Exception {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("Status", "running");
        state.put("Running", true);
        state.put("Pid", 4242L);
        state.put("ExitCode", 0);
        state.put("Error", "");
        state.put("Health", new Health("healthy", 0, List.of("ok")));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", "a".repeat(64));
        m.put("Created", "2026-12-06T22:00:00.123456789Z");
        m.put("Args", List.of());
        m.put("Mounts", new ArrayList<>());
        m.put("State", state);
        m.put("Labels", Map.of());
        m.put("Env", Arrays.asList("PATH=/bin", null, "Q=\"quoted\" \\ \t\n\u0001 é ☃ \uD83D\uDE00"));
        m.put("Volumes", null);
        m.put("Ports", new TreeMap<>(Map.of("80/tcp", List.of(Map.of("HostIp", "", "HostPort", "8080")))));
        m.put("Tree", DATABIND.readTree("{\"a\":[1,2.5,{\"b\":null}],\"c\":{},\"d\":[]}"));
        m.put("Uuid", java.util.UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        m.put("Kind", Kind.CONTAINER);
        m.put("Double", 1.5d);
        m.put("Other keys", Map.of(1, "one"));
        m.put("Nested", List.of(List.of(), List.of(Map.of()), List.of(List.of(1, 2))));
        same(List.of(m));
        same(List.of(m, m));
        same(m);
        same(List.of());
        same(Map.of());
        same("plain");
        same(null);
        same(DATABIND.readTree("[{\"x\":1}]"));
    }
}
