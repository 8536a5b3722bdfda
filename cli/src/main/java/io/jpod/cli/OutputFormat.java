package io.jpod.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jpod.engine.EngineException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A command's {@code --format}, as podman reads it: empty or {@code table} for the command's own table, {@code json},
 * or a Go template ({@link GoTemplate}) printed once per row; {@code table} before a template prints the rows as
 * aligned columns (split at tabs) under a header. {@code \t} and {@code \n} written in the shell are a tab and a
 * newline, and every row ends with one newline.
 */
final class OutputFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Kind { DEFAULT, JSON, TEMPLATE, TABLE_TEMPLATE }

    private final Kind kind;
    private final GoTemplate template;
    private final boolean header;

    private OutputFormat(Kind kind, GoTemplate template) {
        this(kind, template, true);
    }

    private OutputFormat(Kind kind, GoTemplate template, boolean header) {
        this.kind = kind;
        this.template = template;
        this.header = header;
    }

    /** The same format, with or without the header line of a table ({@code --noheading}). */
    OutputFormat withHeader(boolean withHeader) {
        return new OutputFormat(kind, template, withHeader);
    }

    /**
     * @param option  the --format value, or null
     * @param others  other words the command accepts besides json and table (e.g. "text"), meaning its default
     */
    static OutputFormat of(String option, String... others) {
        if (option == null || option.isEmpty() || option.equals("table") || Arrays.asList(others).contains(option)) {
            return new OutputFormat(Kind.DEFAULT, null);
        }
        if (option.equals("json")) {
            return new OutputFormat(Kind.JSON, null);
        }
        String text = option.replace("\\t", "\t").replace("\\n", "\n");
        boolean table = text.startsWith("table ") || text.startsWith("table\t");
        if (table) {
            text = text.substring(6);
        }
        if (!text.contains("{{")) {
            throw new EngineException("unknown --format \"" + option + "\": use json, table, or a Go template such as '{{.ID}}'");
        }
        try {
            return new OutputFormat(table ? Kind.TABLE_TEMPLATE : Kind.TEMPLATE, GoTemplate.parse(text));
        } catch (GoTemplate.TemplateException e) {
            throw bad(option, e);
        }
    }

    boolean isJson() {
        return kind == Kind.JSON;
    }

    boolean isTemplate() {
        return kind == Kind.TEMPLATE || kind == Kind.TABLE_TEMPLATE;
    }

    /** The command's own output (no --format, or "table"). */
    boolean isDefault() {
        return kind == Kind.DEFAULT;
    }

    /**
     * Prints {@code rows} (records, maps: anything Jackson turns into objects) through the template.
     *
     * @param headers a column's name for a field ("ID" → "CONTAINER ID"); other fields get their own name in capitals
     */
    void print(PrintStream out, List<?> rows, Map<String, String> headers) {
        List<JsonNode> data = new ArrayList<>();
        for (Object row : rows) {
            data.add(row instanceof JsonNode n ? n : JSON.valueToTree(row));
        }
        try {
            if (kind == Kind.TABLE_TEMPLATE) {
                List<String[]> table = new ArrayList<>();
                table.add(template.renderHeader(f -> headers.getOrDefault(f, GoTemplate.defaultHeader(f))).split("\t", -1));
                for (JsonNode row : data) {
                    table.add(stripNewline(template.render(row)).split("\t", -1));
                }
                String text = Formats.table(rectangular(table));
                out.print(header ? text : text.substring(text.indexOf('\n') + 1));
                return;
            }
            StringBuilder sb = new StringBuilder();
            for (JsonNode row : data) {
                String s = template.render(row);
                sb.append(s).append(s.endsWith("\n") ? "" : "\n");
            }
            out.print(sb);
        } catch (GoTemplate.TemplateException e) {
            throw bad(template.toString(), e);
        }
    }

    /** Podman's Go field names for data whose JSON keys start in lower case ({@code host.arch} → {@code .Host.Arch}). */
    static JsonNode capitalised(Object value) {
        JsonNode tree = value instanceof JsonNode n ? n : JSON.valueToTree(value);
        if (tree.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            tree.fields().forEachRemaining(e -> out.set(capitalise(e.getKey()), capitalised(e.getValue())));
            return out;
        }
        if (tree.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
            tree.forEach(e -> out.add(capitalised(e)));
            return out;
        }
        return tree;
    }

    private static String capitalise(String key) {
        if (key.isEmpty()) {
            return key;
        }
        if (key.equals("id")) {
            return "ID";
        }
        if (key.startsWith("oci")) { // Go spells initialisms in capitals: ociRuntime → OCIRuntime
            return "OCI" + key.substring(3);
        }
        return Character.toUpperCase(key.charAt(0)) + key.substring(1);
    }

    private static String stripNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static List<String[]> rectangular(List<String[]> rows) {
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(1);
        List<String[]> out = new ArrayList<>();
        for (String[] r : rows) {
            out.add(r.length == cols ? r : Arrays.copyOf(r, cols));
        }
        for (String[] r : out) {
            for (int i = 0; i < r.length; i++) {
                if (r[i] == null) {
                    r[i] = "";
                }
            }
        }
        return out;
    }

    private static EngineException bad(String format, GoTemplate.TemplateException e) {
        return new EngineException("--format \"" + format + "\": " + e.getMessage());
    }
}
