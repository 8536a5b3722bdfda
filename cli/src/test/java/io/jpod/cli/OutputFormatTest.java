package io.jpod.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.engine.EngineException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputFormatTest {
    private static Map<String, Object> row(String id, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", id);
        m.put("Names", name);
        return m;
    }

    private static String print(String format, List<?> rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        OutputFormat.of(format).print(out, rows, Map.of("ID", "CONTAINER ID"));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theKnownWordsAndTemplates() {
        assertTrue(OutputFormat.of(null).isDefault());
        assertTrue(OutputFormat.of("table").isDefault());
        assertTrue(OutputFormat.of("text", "text").isDefault());
        assertTrue(OutputFormat.of("json").isJson());
        assertTrue(OutputFormat.of("{{.ID}}").isTemplate());
        assertTrue(OutputFormat.of("table {{.ID}}").isTemplate());
        EngineException e = assertThrows(EngineException.class, () -> OutputFormat.of("yaml"));
        assertTrue(e.getMessage().contains("yaml") && e.getMessage().contains("Go template"), e.getMessage());
        e = assertThrows(EngineException.class, () -> OutputFormat.of("{{.ID"));
        assertTrue(e.getMessage().startsWith("--format \"{{.ID\""), e.getMessage());
    }

    @Test
    void eachRowEndsWithOneNewlineAndShellEscapesAreTabsAndNewlines() {
        List<?> rows = List.of(row("a1", "one"), row("b2", "two"));
        assertEquals("a1 one\nb2 two\n", print("{{.ID}} {{.Names}}", rows));
        assertEquals("a1\tone\nb2\ttwo\n", print("{{.ID}}\\t{{.Names}}\\n", rows));
        assertEquals("", print("{{.ID}}", List.of()));
    }

    @Test
    void tableTemplatesAlignColumnsUnderAHeader() {
        List<?> rows = List.of(row("a1", "one"), row("b2", "second"));
        assertEquals("""
                CONTAINER ID   NAMES
                a1             one
                b2             second
                """, print("table {{.ID}}\\t{{.Names}}", rows));
    }

    @Test
    void anUnknownFieldInARowIsAClearError() {
        EngineException e = assertThrows(EngineException.class, () -> print("{{.Nmes}}", List.of(row("a1", "one"))));
        assertTrue(e.getMessage().contains("Nmes") && e.getMessage().contains("Names"), e.getMessage());
    }

    @Test
    void lowerCaseJsonKeysGetPodmansGoNames() {
        Map<String, Object> info = Map.of("host", Map.of("arch", "amd64"), "store", Map.of("graphDriverName", "overlay"));
        assertEquals("amd64 overlay\n", print("{{.Host.Arch}} {{.Store.GraphDriverName}}", List.of(OutputFormat.capitalised(info))));
    }
}
